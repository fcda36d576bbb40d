"""The International relations page in every language, the redirect, and error pages."""

import re

import pytest

from webapp.i18n import LANGUAGES

SEED_SV = [
    "Internationella relationer",
    "Göteborg är en hållbar stad som är öppen mot världen.",
    "Göteborgs Stad har flera partnerstäder",
    "De flesta av samarbetena har en historisk bakgrund.",
    "Nelson Mandela Bay",
    "Internationellt centrum för lokal demokrati (ICLD)",
    "ett sjuttiotal internationella organisationer",
    "Eurocities, ECCAR, ICLEI och POLIS",
    "representeras Göteborgs Stad av stadens ledande politiker",
    "Kontakta stadsledningskontoret",
    "Telefon och e-post",
    "Göteborgs Stads kontaktcenter",
    "Gustaf Adolfs Torg 4A",
    "Till sidans huvudinnehåll",
]
SEED_FI = [
    "Kansainväliset suhteet",
    "Göteborg on kestävä kaupunki, joka on avoin maailmalle.",
    "Göteborgin kaupungilla on useita kumppanikaupunkeja",
    "Useimmilla näistä kumppanuuksista on historiallinen tausta.",
    "Nelson Mandela Bayn kunnalla",
    "kansainvälinen paikallisdemokratian keskus (ICLD)",
    "noin seitsemässäkymmenessä kansainvälisessä järjestössä",
    "Eurocities, ECCAR, ICLEI ja POLIS",
    "Göteborgin kaupunkia edustavat kaupungin johtavat poliitikot",
    "Ota yhteyttä kaupunginjohdon toimistoon",
    "Puhelin ja sähköposti",
    "Göteborgin kaupungin asiakaspalvelu",
    "Gustaf Adolfs Torg 4A",
    "Siirry sivun pääsisältöön",
]
SEED_EN = [
    "International relations",
    "Gothenburg is a sustainable city that is open to the world.",
    "The City of Gothenburg has several partner cities",
    "Most of these partnerships have a historical background.",
    "Nelson Mandela Bay Municipality",
    "Swedish International Centre for Local Democracy (ICLD)",
    "about seventy international organizations",
    "Eurocities, ECCAR, ICLEI and POLIS",
    "represented by the city’s leading politicians",
    "Contact the City Executive Office",
    "Phone and e-mail",
    "Gothenburg’s contact centre",
    "Gustaf Adolfs Torg 4A",
    "Skip to main content",
]
CITIES = ["Chicago", "Kiel", "Krakow", "Lyon", "Newcastle", "Rostock", "Shanghai", "Tallinn", "Xi’an"]
COUNTRIES = {
    "sv": ["USA", "Tyskland", "Polen", "Frankrike", "Storbritannien", "Tyskland", "Kina", "Estland", "Kina"],
    "en": ["United States", "Germany", "Poland", "France", "United Kingdom", "Germany", "China", "Estonia", "China"],
    "fi": ["Yhdysvallat", "Saksa", "Puola", "Ranska", "Iso-Britannia", "Saksa", "Kiina", "Viro", "Kiina"],
}
# Every test below that runs per language takes its expectations from here, so a
# language added to LANGUAGES without them fails test_every_language_is_tested.
SEED = {"sv": SEED_SV, "en": SEED_EN, "fi": SEED_FI}
TITLES = {
    "sv": "Internationella relationer – Göteborgs Stad",
    "en": "International relations – City of Gothenburg",
    "fi": "Kansainväliset suhteet – Göteborgin kaupunki",
}
NAMES = {"sv": "Svenska", "en": "English", "fi": "Suomi"}
TITLE_404 = {"sv": "Sidan finns inte", "en": "Page not found", "fi": "Sivua ei löydy"}
TITLE_405 = {"sv": "Det går inte att göra så här", "en": "That action is not possible here", "fi": "Tätä toimintoa ei voi tehdä tässä"}
TITLE_500 = {"sv": "Något gick fel hos oss", "en": "Something went wrong on our side", "fi": "Palvelussamme tapahtui virhe"}


def test_every_language_is_tested():
    assert LANGUAGES == ("sv", "en", "fi")
    for expectations in (SEED, COUNTRIES, TITLES, NAMES, TITLE_404, TITLE_405, TITLE_500):
        assert set(expectations) == set(LANGUAGES)


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("en-GB,en;q=0.9", "/en/"),
        ("sv-SE,sv;q=0.9,en;q=0.8", "/sv/"),
        ("de-DE,en;q=0.5", "/en/"),
        ("de-DE,fr;q=0.9", "/sv/"),
        ("", "/sv/"),
        ("en;q=0.2,sv;q=0.8", "/sv/"),
        ("fi-FI,fi;q=0.9,en;q=0.8", "/fi/"),
        ("fi", "/fi/"),
        ("de-DE,fi;q=0.7,sv;q=0.5", "/fi/"),
        ("fi;q=0.3,en;q=0.9", "/en/"),
    ],
)
def test_root_redirects_by_accept_language(client, accept, expected):
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 303
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_has_all_seed_content_in_its_language(client, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    html = response.text
    for text in SEED[lang]:
        assert text in html, text
    assert 'href="tel:+46313650000">031-365 00 00</a>' in html
    assert "Göteborgs Stad, 404 82 Göteborg" in html


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_page_has_no_swedish_contact_block(client, lang):
    html = client.get(f"/{lang}/").text
    for swedish in ("Telefon och e-post", "Ställ en fråga", "Kontakta stadsledningskontoret", "Till sidans"):
        assert swedish not in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_has_no_text_of_another_language(client, lang):
    html = client.get(f"/{lang}/").text
    proper_names = {"Nelson Mandela Bay", "Gustaf Adolfs Torg 4A"}  # the same in every language
    for other in LANGUAGES:
        if other != lang:
            for text in set(SEED[other]) - proper_names:
                assert text not in html, (other, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_partner_cities_with_country_names_from_cldr(client, lang):
    html = client.get(f"/{lang}/").text
    items = re.findall(
        r'<li><span class="partner-cities__city">(.*?)</span>, <span class="partner-cities__country">(.*?)</span></li>',
        html,
    )
    assert items == list(zip(CITIES, COUNTRIES[lang]))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_markup(client, lang):
    html = client.get(f"/{lang}/").text
    assert f'<html lang="{lang}">' in html
    assert html.count("<h1") == 1
    assert f'<link rel="canonical" href="http://localhost/{lang}/">' in html
    for code in ("sv", "en", "fi"):
        assert f'<link rel="alternate" hreflang="{code}" href="http://localhost/{code}/">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://localhost/">' in html
    # The switch offers every other language, named in that language.
    for other in ("sv", "en", "fi"):
        if other == lang:
            assert f'<span class="language-switch__current" lang="{lang}" aria-current="true">{NAMES[lang]}</span>' in html
        else:
            assert f'<a href="/{other}/" lang="{other}" hreflang="{other}">{NAMES[other]}</a>' in html
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
        assert f"<title>{TITLES[lang]}</title>" in html
        descriptions.add(re.search(r'<meta name="description" content="([^"]+)">', html)[1])
    assert len(descriptions) == len(LANGUAGES)


def test_no_external_resources(client):
    """Nothing the page loads comes from elsewhere; links (<a href>) to other sites are fine."""
    html = client.get("/sv/").text
    loaded = re.findall(r'<(?!a )[a-z]+ [^>]*?(?:src|href)="([^"]+)"', html)
    assert any(re.fullmatch(r"/static/site\.[0-9a-f]{12}\.css", src) for src in loaded)
    for src in loaded:
        assert not src.startswith(("http://", "https://", "//")) or src.startswith("http://localhost/"), src


@pytest.mark.parametrize(
    "path, headers, lang, title",
    [
        ("/sv/finns-inte", {}, "sv", "Sidan finns inte"),
        ("/en/missing", {}, "en", "Page not found"),
        ("/xx/", {"Accept-Language": "en"}, "en", "Page not found"),
        ("/xx/", {"Accept-Language": "sv"}, "sv", "Sidan finns inte"),
        ("/nothing/here", {}, "sv", "Sidan finns inte"),
        ("/fi/ei-ole", {}, "fi", "Sivua ei löydy"),
        ("/xx/", {"Accept-Language": "fi-FI"}, "fi", "Sivua ei löydy"),
        ("/nothing/here", {"Accept-Language": "fi"}, "fi", "Sivua ei löydy"),
    ],
)
def test_404_in_the_visitors_language(client, path, headers, lang, title):
    response = client.get(path, headers=headers)
    assert response.status_code == 404
    assert f'<html lang="{lang}">' in response.text
    assert f"<h1>{title}</h1>" in response.text
    assert f'href="/{lang}/"' in response.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_405_in_the_visitors_language(client, lang):
    response = client.delete(f"/{lang}/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert f"<h1>{TITLE_405[lang]}</h1>" in response.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_500_page_is_translated(app, client, lang):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    @app.get(f"/{lang}/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get(f"/{lang}/boom")
    assert response.status_code == 500
    assert f"<h1>{TITLE_500[lang]}</h1>" in response.text
