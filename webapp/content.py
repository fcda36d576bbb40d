"""Facts on the page that are data rather than prose."""

# Partner cities with ISO 3166 country codes; the country's name comes from CLDR
# in the page's language. City names are proper names and stay as the city writes them.
PARTNER_CITIES = (
    ("Chicago", "US"),
    ("Kiel", "DE"),
    ("Krakow", "PL"),
    ("Lyon", "FR"),
    ("Newcastle", "GB"),
    ("Rostock", "DE"),
    ("Shanghai", "CN"),
    ("Tallinn", "EE"),
    ("Xi’an", "CN"),
)

# The contact centre's number as people write it and as a tel: link dials it.
PHONE_DISPLAY = "031-365 00 00"
PHONE_TEL = "+46313650000"

OFFICE_STREET = "Gustaf Adolfs Torg 4A"
POSTAL_ADDRESS = ("Göteborgs Stad", "404 82 Göteborg")
