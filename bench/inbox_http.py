"""The staff inbox over HTTP, on bench/inbox.py's seeded database: what a registrar waits for.

The site under gunicorn with its production settings and ONE worker, a registrar signed in
with a one-time link (`flask staff link`, as the operator gives one), one request at a time
(a person, not a crowd), warm: each URL WARMUP times, then REPEATS times timed, from sending
the request to the last byte of the answer. Every request writes its access-log row and
touches the session, as in production.
"""

import os
import re
import statistics
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urljoin

import requests

from tests.live_server import Gunicorn

REPEATS = 200
WARMUP = 20
EMAIL = "bench-registrar@goteborg.se"
# What a browser's form POST from the site's own page carries (web/cross_origin.py).
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]*)"')
NEXT = re.compile(r'<a [^>]*href="([^"]*[?&](?:amp;)?after=\d+[^"]*)"')


def environment(instance: Path) -> dict[str, str]:
    """The site's settings for the instance folder holding the seeded database (mail to files:
    nothing here sends any), and never a production host's /etc/webapp/env (its public URL, HTTPS,
    database): WEBAPP_ENV_FILE set but empty reads no file."""
    instance = instance.resolve()
    return {
        "WEBAPP_ENV_FILE": "",
        "WEBAPP_INSTANCE_PATH": str(instance),
        "WEBAPP_MAIL_FILE_DIR": str(instance / "mail"),
    }


def server(instance: Path, log: Path) -> Gunicorn:
    return Gunicorn("wsgi:app", log=log, env=environment(instance), workers=1, ready="/healthz")


def sign_in(base_url: str, path: str) -> requests.Session:
    """Open the link and press its button, as a browser does; the session then holds the staff cookie."""
    client = requests.Session()
    page = client.get(base_url + path, timeout=10)
    answer = page
    if page.status_code == 200:
        token = CSRF.search(page.text).group(1)
        answer = client.post(base_url + path, data={"csrf_token": token}, headers=SAME_ORIGIN, allow_redirects=False, timeout=10)
    if answer.status_code != 302 or "staff" not in client.cookies:
        raise RuntimeError(f"sign-in with the link failed: {answer.status_code} {answer.text[:500]}")
    return client


def summary(times: list[float]) -> dict:
    """Median and 99th percentile of timings in milliseconds."""
    times = sorted(times)
    return {"median_ms": round(statistics.median(times), 2), "p99_ms": round(times[int(len(times) * 0.99) - 1], 2)}


def get(client: requests.Session, url: str) -> requests.Response:
    """A page of the staff area, which must answer 200 (a redirect would be the sign-in page)."""
    response = client.get(url, allow_redirects=False, timeout=10)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:500]}")
    return response


def timed(client: requests.Session, url: str, repeats: int = REPEATS, warmup: int = WARMUP) -> list[float]:
    """Milliseconds of each of `repeats` requests for `url`, after `warmup` untimed ones."""
    for _ in range(warmup):
        get(client, url)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        get(client, url)
        times.append((time.perf_counter() - start) * 1000)
    return times


def next_page(html: str) -> str | None:
    """The list's link to its next page (keyset: it carries `after`), or None on the last."""
    match = NEXT.search(html)
    return unescape(match.group(1)) if match else None


def walk(client: requests.Session, url: str, pages: int) -> str:
    """The URL of page 1 + `pages`, reached by following the list's next-page links as a registrar would."""
    for _ in range(pages):
        found = next_page(get(client, url).text)
        if found is None:
            raise RuntimeError(f"{url} has no link to a next page")
        url = urljoin(url, found)
    return url


def measure(instance: Path, log: Path, reference: str) -> dict:
    """The five pages of the issue, timed over HTTP against the seeded instance."""
    load = os.getloadavg()
    with server(instance, log) as site:
        client = sign_in(site.url, site.sign_in_link(EMAIL, "registrar"))
        first = site.url + "/staff/"
        urls = {
            "first page": first,
            "page 2 000": walk(client, first, 1999),
            "common word": first + "?" + urlencode({"q": "vänort"}),
            "address": first + "?" + urlencode({"q": "person17@example.se"}),
            "message": f"{site.url}/staff/messages/{reference}",
        }
        pages = {name: {"path": url.removeprefix(site.url), **summary(timed(client, url))} for name, url in urls.items()}
    return {"pages": pages, "workers": 1, "repeats": REPEATS, "warmup": WARMUP, "loadavg": [load, os.getloadavg()]}
