"""Languages: which ones the site has, which one a request is in, and CLDR data."""

from babel import Locale
from flask import g, request, url_for
from flask_babel import get_locale

from .languages import SOURCE_LANGUAGE, read_languages  # noqa: F401 (SOURCE_LANGUAGE is re-exported)

# The published languages, from translations/LANGUAGES; the first is the default: the city's own.
LANGUAGES = read_languages()
DEFAULT_LANGUAGE = LANGUAGES[0]


def negotiate_language() -> str:
    """The visitor's preferred language from Accept-Language, Swedish when nothing matches."""
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def language_from_path() -> str | None:
    """The language named by the URL's first segment, if it is one we have."""
    first = request.path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES else None


def select_locale() -> str:
    # Pages under /<lang>/ set g.lang; error pages and the root fall back to the
    # path prefix, then to the visitor's browser.
    return getattr(g, "lang", None) or language_from_path() or negotiate_language()


def current_language() -> str:
    return str(get_locale())


def number_group_symbol() -> str:
    """The thousands separator of the active locale (a no-break space in Swedish)."""
    return Locale.parse(current_language()).number_symbols["latn"]["group"]


def country_name(code: str) -> str:
    """A country's name in the active language, from CLDR (e.g. "DE" -> "Tyskland")."""
    return Locale.parse(str(get_locale())).territories[code]


def language_name(code: str) -> str:
    """A language's name in that language itself, as a language switch should show it."""
    name = Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]


def url_in_language(code: str, external: bool = False) -> str:
    """This page in another language; pages not reachable by GET (a re-rendered
    form, an error) point to that language's front page."""
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    if request.method != "GET" or not endpoint or not endpoint.startswith("site."):
        endpoint, args = "site.index", {}
    return url_for(endpoint, **{**args, "lang": code}, _external=external)


def init_app(app):
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        country_name=country_name,
        current_language=current_language,
        number_group_symbol=number_group_symbol,
        language_name=language_name,
        url_in_language=url_in_language,
    )
