"""Languages: which ones the site has, which one a request is in, translations as text, and CLDR data."""

from functools import cache
from pathlib import Path

from babel import Locale
from flask import current_app, g, request, url_for
from flask_babel import get_locale, get_translations, gettext, pgettext
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import escape

from .bidi import isolated
from .languages import draft_languages, read_languages



# Translations are text ----------------------------------------------------
# Flask-Babel installs Jinja's "newstyle" gettext, which marks every translation
# safe under autoescape, and its lazy strings declare themselves safe (__html__):
# a "<" in a msgstr would become markup. Here a translation is escaped like any
# text; markup a sentence needs (a link) stays in the template and comes in
# through a placeholder, which keeps it.


def _as_text(context, translated: str, variables: dict) -> str:
    if context.eval_ctx.autoescape:
        translated = escape(translated)
    return translated % variables  # as Jinja's newstyle gettext: always formatted, so %% is %


@pass_context
def template_gettext(context, message, /, **variables):
    return _as_text(context, get_translations().ugettext(message), variables)


@pass_context
def template_ngettext(context, singular, plural, n, /, **variables):
    variables.setdefault("num", n)
    return _as_text(context, get_translations().ungettext(singular, plural, n), variables)


@pass_context
def template_pgettext(context, msgctxt, message, /, **variables):
    return _as_text(context, get_translations().upgettext(msgctxt, message), variables)


@pass_context
def template_npgettext(context, msgctxt, singular, plural, n, /, **variables):
    variables.setdefault("num", n)
    return _as_text(context, get_translations().unpgettext(msgctxt, singular, plural, n), variables)


class LazyText(LazyString):
    """Flask-Babel's lazy string, escaped in a template like any str."""

    def __html__(self):
        return escape(str(self))


def lazy_gettext(message: str, **variables) -> LazyText:
    return LazyText(gettext, message, **variables)


def lazy_pgettext(msgctxt: str, message: str, **variables) -> LazyText:
    return LazyText(pgettext, msgctxt, message, **variables)


# Which languages ----------------------------------------------------------


def translations_folder(app=None) -> Path:
    return Path((app or current_app).config["BABEL_TRANSLATION_DIRECTORIES"])


def published(app=None) -> tuple[str, ...]:
    """The languages the site offers (translations/LANGUAGES beside the catalogs it serves; the
    first is the default, the city's own): the switch, hreflang, the sitemap and negotiation."""
    return (app or current_app).extensions[__name__]["languages"]


def served() -> tuple[str, ...]:
    """Published languages, and under `make dev` (debug) also the drafts, as a preview for
    their translators at /LANG/ (read each time, so a new catalog needs no restart)."""
    if current_app.debug:
        return published() + draft_languages(translations_folder())
    return published()


def negotiate_language() -> str:
    """The visitor's preferred language from Accept-Language, the default when nothing matches."""
    return request.accept_languages.best_match(published()) or published()[0]


def language_from_path() -> str | None:
    """The language named by the URL's first segment, if the site serves it."""
    first = request.path.lstrip("/").split("/", 1)[0]
    return first if first in served() else None


def select_locale() -> str:
    # Pages under /<lang>/ set g.lang; error pages and the root fall back to the
    # path prefix, then to the visitor's browser.
    return getattr(g, "lang", None) or language_from_path() or negotiate_language()


def current_language() -> str:
    return str(get_locale())


# CLDR ---------------------------------------------------------------------


def country_name(code: str) -> str:
    """A country's name in the active language, from CLDR (e.g. "DE" -> "Tyskland")."""
    return Locale.parse(current_language()).territories[code]


def text_direction(code: str | None = None) -> str:
    """"rtl" or "ltr" for a language (the active one by default), from CLDR's character order,
    so a right-to-left catalog added as data mirrors the page with no list of codes here."""
    return Locale.parse(code or current_language()).text_direction


def isolated_here(text) -> str:
    """Plain text (a data attribute a script shows) in FSI ... PDI on a right-to-left page."""
    return isolated(str(text), current_language())


def language_name(code: str) -> str:
    """A language's name in that language itself, as a language switch should show it."""
    name = Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]


# Every CLDR plural rule picks its category by a whole number's digits; these reach each
# category any language has for whole numbers (Breton's "many" is a million).
SAMPLE_NUMBERS = (*range(1000), *(10**k for k in range(3, 10)))


@cache
def _plural_samples(code: str) -> dict[str, int]:
    rule = Locale.parse(code).plural_form
    samples: dict[str, int] = {}
    for n in SAMPLE_NUMBERS:
        samples.setdefault(rule(n), n)
    return samples


def plural_samples() -> dict[str, int]:
    """One whole number for each CLDR plural category ("one", "few", "many", "other", ...)
    the active language has for whole numbers. ngettext with it gives that category's
    form, for a script that picks the category with the browser's Intl.PluralRules."""
    return _plural_samples(current_language())


def url_in_language(code: str, external: bool = False) -> str:
    """This page in another language; pages not reachable by GET (a re-rendered
    form, an error) point to that language's front page."""
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    in_a_language = request.url_rule is not None and "lang" in request.url_rule.arguments
    if request.method != "GET" or not in_a_language:
        endpoint, args = current_app.extensions[__name__]["front_page"], {}
    return url_for(endpoint, **{**args, "lang": code}, _external=external)


def init_app(app, front_page: str):
    """`front_page`: the endpoint a language's link leads to from a page that has no address of its own."""
    app.extensions[__name__] = {
        "languages": read_languages(translations_folder(app) / "LANGUAGES"),
        "front_page": front_page,
    }
    # After Flask-Babel's init_app: these replace the gettext it gave Jinja.
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
        npgettext=template_npgettext,
        LANGUAGES=published(app),
        country_name=country_name,
        current_language=current_language,
        plural_samples=plural_samples,
        language_name=language_name,
        text_direction=text_direction,
        url_in_language=url_in_language,
    )
    app.jinja_env.filters["isolated"] = isolated_here
