"""The Flask extensions the site uses, created once here and bound to the app by create_app()."""

from flask import current_app
from flask_babel import Babel, Domain
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from htmx_flask import Htmx
from werkzeug.utils import cached_property

from .web import rate_limit_storage  # noqa: F401 (registers the sqlite:// storage scheme)


TRANSLATIONS_CACHE = "webapp.translations"


def clear_translations(app) -> None:
    """Forget the loaded catalogs, so the next request reads them again."""
    app.extensions.pop(TRANSLATIONS_CACHE, None)


class AppDomain(Domain):
    """Flask-Babel's domain caches loaded catalogs per process, keyed by locale
    alone; two apps with different translation directories (tests) would then
    see each other's catalogs. Keep the cache on the app instead."""

    def get_translations_cache(self, ctx):
        return current_app.extensions.setdefault(TRANSLATIONS_CACHE, {})


class AppBabel(Babel):
    @cached_property
    def domain_instance(self):
        return AppDomain(domain=self.domain)


babel = AppBabel()
htmx = Htmx()
# Per client address; only the views it decorates are limited (see init_limiter).
limiter = Limiter(key_func=get_remote_address)


def init_limiter(app) -> None:
    limiter.init_app(app)
    # Flask-Limiter also checks every request in a before_request hook, for default and
    # application-wide limits. The site has none: its one limit is a decorator, which
    # checks itself when its view runs, so the hook only cost every page view its time.
    if limiter.enabled:
        app.before_request_funcs[None].remove(limiter._check_request_limit)
