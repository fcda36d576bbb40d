"""What a browser downloads on a first view of a page: every request, and its bytes on the wire.

Used by the budget test, the benchmark and `flask assets weight`. The page is
fetched through the app itself (a test client), so the numbers are what the
app sends, before any proxy in front of it.
"""

import gzip
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import brotli

# What a current browser sends; the budget is about compressed transfer.
BROWSER_HEADERS = {"Accept-Encoding": "br, gzip"}
# Link relations a browser fetches while loading the page.
FETCHED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}
DECODERS = {"br": brotli.decompress, "gzip": gzip.decompress, "": bytes}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@dataclass
class Resource:
    url: str
    kind: str  # "document", "stylesheet", "script", "icon", ...
    blocking: bool = False  # holds up the first render
    status: int = 0
    content_type: str = ""
    encoding: str = ""  # Content-Encoding, "" for none
    location: str = ""  # where a redirect points
    header_bytes: int = 0
    body_bytes: int = 0

    @property
    def bytes(self) -> int:
        return self.header_bytes + self.body_bytes


class ResourceFinder(HTMLParser):
    """The subresources an HTML page makes a browser fetch."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base
        self.found: list[Resource] = []
        self.has_icon = False  # a browser fetches one of the icons offered

    def add(self, url: str | None, kind: str, blocking: bool = False) -> None:
        if url and not url.startswith("data:"):
            self.found.append(Resource(urljoin(self.base, url), kind, blocking))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            rels = set((attrs.get("rel") or "").lower().split()) & FETCHED_RELS
            if rels:
                kind = sorted(rels)[0]
                if kind in ("icon", "apple-touch-icon"):
                    if self.has_icon:
                        return
                    self.has_icon = True
                self.add(attrs.get("href"), kind, blocking=kind == "stylesheet" and attrs.get("media") != "print")
        elif tag == "script" and attrs.get("src"):
            deferred = "defer" in attrs or "async" in attrs or attrs.get("type") == "module"
            self.add(attrs["src"], "script", blocking=not deferred)
        elif tag in ("img", "source", "video", "audio", "iframe") and attrs.get("src"):
            self.add(attrs["src"], tag, blocking=tag == "iframe")


def header_size(response) -> int:
    """Bytes of the status line and headers, as HTTP/1.1 sends them."""
    lines = [f"HTTP/1.1 {response.status}"] + [f"{k}: {v}" for k, v in response.headers.items()]
    return sum(len(line.encode("latin-1", "replace")) + 2 for line in lines) + 2


def fetch(client, resource: Resource) -> bytes:
    """Request the resource, record what came over the wire, return the decoded body."""
    response = client.get(urlsplit(resource.url)._replace(scheme="", netloc="").geturl(), headers=BROWSER_HEADERS)
    body = response.get_data()
    resource.status = response.status_code
    resource.content_type = response.mimetype or ""
    resource.encoding = response.headers.get("Content-Encoding", "")
    resource.location = response.headers.get("Location", "") if 300 <= response.status_code < 400 else ""
    resource.header_bytes = header_size(response)
    resource.body_bytes = len(body)
    return DECODERS[resource.encoding](body)


def first_view(client, path: str) -> list[Resource]:
    """Fetch a page and everything it makes a browser fetch, as a browser with an empty cache would.

    Returned in request order. URLs on another host are listed but not fetched
    (status 0), so a test can refuse them.
    """
    page = Resource(f"http://localhost{path}", "document", blocking=True)
    finder = ResourceFinder(page.url)
    finder.feed(fetch(client, page).decode())
    if not finder.has_icon:  # browsers ask for this one anyway
        finder.found.append(Resource(urljoin(page.url, "/favicon.ico"), "icon"))
    resources, queue = [page], list(finder.found)
    while queue:
        resource = queue.pop(0)
        if any(r.url == resource.url for r in resources):
            continue
        resources.append(resource)
        if urlsplit(resource.url).netloc != "localhost":
            continue
        body = fetch(client, resource)
        if resource.location:  # a browser follows it: one more request
            queue.insert(0, Resource(urljoin(resource.url, resource.location), resource.kind, resource.blocking))
        if resource.kind == "stylesheet" and resource.status == 200:
            urls = CSS_URL.findall(body.decode())
            queue += [Resource(urljoin(resource.url, url), "css-url") for url in urls if not url.startswith("data:")]
    return resources


def breakdown(resources: list[Resource]) -> str:
    """A small table: one line per request, then the total."""
    lines = [f"{'bytes':>7} {'body':>7} {'enc':<4} {'status':>6}  url"]
    for r in resources:
        path = urlsplit(r.url).path if urlsplit(r.url).netloc == "localhost" else r.url
        lines.append(f"{r.bytes:7d} {r.body_bytes:7d} {r.encoding or '-':<4} {r.status:>6}  {path} ({r.kind})")
    lines.append(f"{sum(r.bytes for r in resources):7d} bytes in {len(resources)} requests")
    return "\n".join(lines)
