"""The International relations page in every language, the redirect, and error pages."""

import re

import pytest

from babel import Locale
from markupsafe import Markup

from webapp import content
from tests.helpers import LANGUAGES

from .helpers import rendered, translate

# The seed's own Swedish (../shared/seed/), pinned word for word; every other expected
# text comes from the catalogs (helpers.translate), so a better translation passes.
SEED_SV = [
    "Till sidans huvudinnehåll",
    "Telefon och e-post",
    "031-365 00 00</a> (Göteborgs Stads kontaktcenter)",
]
# The page's texts, by their English; on the page in every language as its catalog has them.
PAGE_TEXTS = [
    "International relations",
    "Gothenburg is a sustainable city that is open to the world. We believe that international relations are important for the future. There is also great international interest in Gothenburg. By being receptive and sharing, we create good relationships with the outside world.",
    "International activities pursued by the City of Gothenburg are focused primarily on promoting the city’s interests abroad, as well as creating opportunities for an exchange of experience and knowledge with other cities and organizations worldwide.",
    "The City of Gothenburg has several partner cities:",
    "Most of these partnerships have a historical background. Possible collaborations take place within the assignments of various companies and administrations within the city.",
    "Partnership with Nelson Mandela Bay",
    "The City of Gothenburg and Nelson Mandela Bay Municipality in South Africa have a partnership which makes it possible to develop projects together. The project work is supported by the Swedish International Centre for Local Democracy (ICLD).",
    "The City of Gothenburg is a member of about seventy international organizations, Eurocities, ECCAR, ICLEI and POLIS to mention a few.",
    "At important ceremonies and visits, the City of Gothenburg is represented by the city’s leading politicians. Visitors are welcomed in our cultural and historical heritage environments.",
    "Contact the City Executive Office",
    "If you have any questions about the City of Gothenburg’s international relations, please contact the City Executive Office.",
    "Phone and e-mail",
    "Gothenburg’s contact centre",
    "Write to us with the form below",
    "Visiting address",
    "Postal address",
    "Write to us",
    "Skip to main content",
]
# Facts: the same words in every language.
FACTS = ["Gustaf Adolfs Torg 4A", 'href="tel:+46313650000">031-365 00 00</a>', "Göteborgs Stad, 404 82 Göteborg"]
CITIES = ["Chicago", "Kiel", "Krakow", "Lyon", "Newcastle", "Rostock", "Shanghai", "Tallinn", "Xi’an"]  # the seed's list
# Facts of CLDR, spot-checked where the language is published.
COUNTRIES = {"sv": ["USA", "Tyskland", "Polen"], "en": ["United States", "Germany", "Poland"], "fi": ["Yhdysvallat", "Saksa", "Puola"]}
NAMES = {"sv": "Svenska", "en": "English", "fi": "Suomi"}


def text_of(html: str, lang: str, message: str) -> bool:
    return str(rendered(lang, message)) in html


DEFAULT, OTHERS = LANGUAGES[0], LANGUAGES[1:]


def accept_language_cases():
    """What / must answer for each header, worked out from the published list."""
    cases = [("", DEFAULT), ("x-unknown,zz;q=0.5", DEFAULT)]
    for lang in LANGUAGES:
        cases += [(lang, lang), (f"{lang}-XX,{lang};q=0.9", lang), (f"zz-ZZ,{lang};q=0.7", lang)]
    for low, high in zip(LANGUAGES, LANGUAGES[1:] + LANGUAGES[:1]):
        if low != high:
            cases.append((f"{low};q=0.2,{high};q=0.8", high))
    return cases


@pytest.mark.parametrize("accept, lang", accept_language_cases())
def test_root_redirects_by_accept_language(client, accept, lang):
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/{lang}/"
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_has_all_its_text_in_its_language(client, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    html = response.text
    for message in PAGE_TEXTS:
        assert text_of(html, lang, message), (lang, message)
    for fact in FACTS:
        assert fact in html


def test_swedish_page_has_the_seeds_own_sentences(client):
    html = client.get("/sv/").text
    for sentence in SEED_SV:
        assert sentence in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_has_no_text_of_another_language(client, lang):
    html = client.get(f"/{lang}/").text
    for other in LANGUAGES:
        for message in PAGE_TEXTS:
            theirs, ours = translate(other, message), translate(lang, message)
            if other != lang and theirs != ours:
                assert str(rendered(other, message)) not in html, (other, message)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_partner_cities_in_the_pages_language_with_country_names_from_cldr(client, lang):
    html = client.get(f"/{lang}/").text
    items = re.findall(
        r'<li><bdi class="partner-cities__city">(.*?)</bdi>, <span class="partner-cities__country">(.*?)</span></li>',
        html,
    )
    territories = Locale.parse(lang).territories
    codes = [code for _, code in content.PARTNER_CITIES]
    assert items == [(translate(lang, city, context="partner city"), territories[code]) for city, code in zip(CITIES, codes)]
    if lang in COUNTRIES:
        assert [country for _, country in items][:3] == COUNTRIES[lang]


def test_a_partner_citys_name_comes_from_its_languages_catalog(catalogs, catalogs_app):
    catalogs.edit(DEFAULT, {("partner city", "Krakow"): "Kraków"})
    html = catalogs_app.test_client().get(f"/{DEFAULT}/").text
    assert '<bdi class="partner-cities__city">Kraków</bdi>' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_markup(client, lang):
    html = client.get(f"/{lang}/").text
    assert f'<html lang="{lang}" dir="{Locale.parse(lang).text_direction}">' in html
    assert html.count("<h1") == 1
    assert f'<link rel="canonical" href="http://localhost/{lang}/">' in html
    for code in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{code}" href="http://localhost/{code}/">' in html
    assert html.count('rel="alternate" hreflang=') == len(LANGUAGES) + 1
    assert '<link rel="alternate" hreflang="x-default" href="http://localhost/">' in html
    # The switch offers every other language, named in that language (CLDR).
    for other in LANGUAGES:
        name = Locale.parse(other).get_display_name(other)
        name = NAMES.get(other, name[:1].upper() + name[1:])
        if other == lang:
            assert f'<span class="language-switch__current" lang="{lang}" dir="{Locale.parse(lang).text_direction}" aria-current="true">{name}</span>' in html
        else:
            assert f'<a href="/{other}/" lang="{other}" dir="{Locale.parse(other).text_direction}" hreflang="{other}">{name}</a>' in html
    # The skip link is the first thing in the body, pointing at <main>.
    body = html.split("<body>", 1)[1].lstrip()
    assert body.startswith('<a class="skip-link" href="#main">')
    assert '<main id="main"' in html
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    assert '<meta name="description" content="' in html


def test_titles_and_descriptions_differ_per_language(client):
    descriptions = set()
    for lang in LANGUAGES:
        html = client.get(f"/{lang}/").text
        title = f"{rendered(lang, 'International relations')} – {rendered(lang, 'City of Gothenburg')}"
        assert f"<title>{title}</title>" in html
        descriptions.add(re.search(r'<meta name="description" content="([^"]+)">', html)[1])
    assert len(descriptions) == len(LANGUAGES)


def test_no_external_resources(client):
    """Nothing the page loads comes from elsewhere; links (<a href>) to other sites are fine."""
    html = client.get(f"/{DEFAULT}/").text
    loaded = re.findall(r'<(?!a )[a-z]+ [^>]*?(?:src|href)="([^"]+)"', html)
    assert any(re.fullmatch(r"/static/site\.[0-9a-f]{12}\.css", src) for src in loaded)
    for src in loaded:
        assert not src.startswith(("http://", "https://", "//")) or src.startswith("http://localhost/"), src


def not_found_cases():
    cases = [("/nothing/here", {}, DEFAULT), ("/xx/", {"Accept-Language": "zz"}, DEFAULT)]
    for lang in LANGUAGES:
        cases += [(f"/{lang}/finns-inte", {}, lang), ("/xx/", {"Accept-Language": lang}, lang), ("/nothing/here", {"Accept-Language": f"{lang}-XX"}, lang)]
    return cases


@pytest.mark.parametrize("path, headers, lang", not_found_cases())
def test_404_in_the_visitors_language(client, path, headers, lang):
    response = client.get(path, headers=headers)
    assert response.status_code == 404
    assert f'<html lang="{lang}" dir="{Locale.parse(lang).text_direction}">' in response.text
    assert f"<h1>{rendered(lang, 'Page not found')}</h1>" in response.text
    assert f'href="/{lang}/"' in response.text
    link = Markup('<a dir="ltr" href="tel:+46313650000">031-365 00 00</a>')
    phone = rendered(lang, "You can also call Gothenburg’s contact centre on %(phone)s.", phone=link)
    assert f"<p>{phone}</p>" in response.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_405_in_the_visitors_language(client, lang):
    response = client.delete(f"/{lang}/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert f"<h1>{rendered(lang, 'That action is not possible here')}</h1>" in response.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_500_page_is_translated(app, client, lang):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    @app.get(f"/{lang}/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get(f"/{lang}/boom")
    assert response.status_code == 500
    assert f"<h1>{rendered(lang, 'Something went wrong on our side')}</h1>" in response.text
