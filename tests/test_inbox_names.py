"""The staff area's times: names.time_formatter (one pattern a page, for the list's 50 rows) writes
exactly what Flask-Babel's format_datetime writes, in every language the site has and in a few
whose patterns join date and time with words or in another order."""

from datetime import datetime, timezone

import pytest
from flask_babel import force_locale, format_datetime

from tests.helpers import make_app
from webapp.i18n.languages import draft_languages, read_languages
from webapp.inbox import names

TIMES = [
    "2026-12-03T13:05:00+00:00",
    "2026-03-29T00:59:59+00:00",  # the hour before summer time begins in Gothenburg
    "2026-03-29T01:00:00+00:00",
    "2026-10-25T00:30:00+00:00",  # the hour that comes twice
    "2026-10-25T01:30:00+00:00",
    "2026-06-30T22:15:00",  # stored without an offset: UTC
]


@pytest.mark.parametrize("lang", sorted({*read_languages(), *draft_languages(), "ar", "de", "ja", "en_GB", "pt"}))
def test_the_page_formatter_writes_what_format_datetime_writes(tmp_path, lang):
    app = make_app(tmp_path)
    with app.test_request_context("/staff/"), force_locale(lang):
        formatted = names.time_formatter()
        for iso in TIMES:
            moment = datetime.fromisoformat(iso)
            expected = format_datetime(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc), "short")
            assert formatted(iso) == names.format_time(iso) == expected
