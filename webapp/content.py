"""Facts on the page that are data rather than prose."""

from datetime import date
from zoneinfo import ZoneInfo

from .i18n import lazy_pgettext

# Where the office is: the day a message arrived, the digest's hour and the archive rules'
# days are reckoned in its time.
STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Partner cities with ISO 3166 country codes; the country's name comes from CLDR
# in the page's language, the city's as each language writes it (Krakow, Krakova, Krakau:
# the catalogs' entries with the context "partner city").
PARTNER_CITIES = (
    (lazy_pgettext("partner city", "Chicago"), "US"),
    (lazy_pgettext("partner city", "Kiel"), "DE"),
    (lazy_pgettext("partner city", "Krakow"), "PL"),
    (lazy_pgettext("partner city", "Lyon"), "FR"),
    (lazy_pgettext("partner city", "Newcastle"), "GB"),
    (lazy_pgettext("partner city", "Rostock"), "DE"),
    (lazy_pgettext("partner city", "Shanghai"), "CN"),
    (lazy_pgettext("partner city", "Tallinn"), "EE"),
    (lazy_pgettext("partner city", "Xi’an"), "CN"),
)

# The contact centre's number as people write it and as a tel: link dials it.
PHONE_DISPLAY = "031-365 00 00"
PHONE_TEL = "+46313650000"

OFFICE_STREET = "Gustaf Adolfs Torg 4A"
OFFICE_LOCALITY = "Göteborg"
# Where the office is, as (longitude, latitude) in the GeoJSON order: a copy of the
# seed's point (shared/seed), so the app needs nothing outside the repository.
OFFICE_COORDINATES = (11.966450219140533, 57.70739467390328)
POSTAL_ADDRESS = ("Göteborgs Stad", "404 82 Göteborg")

# The accessibility statement's dates, shown in every language. Change the first
# when the site is assessed again, the second whenever the statement is edited.
ACCESSIBILITY_ASSESSED = date(2026, 11, 27)
ACCESSIBILITY_UPDATED = date(2026, 11, 27)
