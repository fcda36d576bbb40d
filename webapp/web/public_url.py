"""The site's address as visitors see it, and the hosts it answers to.

With WEBAPP_PUBLIC_URL set (https://internationellt.goteborg.se), every absolute URL the site
writes (sitemap, robots.txt, hreflang and canonical links, mail, the staff sign-in's redirect
URI) names that address, whatever Host a request came with, and outside a request too.
Requests for a host not in WEBAPP_TRUSTED_HOSTS (plus the public URL's host) get a plain 400.
"""

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import SecurityError


def parse(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of a public URL; refused at start-up unless it is an origin."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") or parts.query:
        raise ValueError(f"PUBLIC_URL must be scheme://host[:port] with no path: {url!r}")
    return parts.scheme, parts.netloc


def base_url() -> str:
    """The public address without a trailing slash: WEBAPP_PUBLIC_URL, else this request's."""
    return (current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")


def public_url(path: str) -> str:
    """An absolute URL for a path on this site (`public_url("/sv/")`)."""
    return base_url() + "/" + path.lstrip("/")


def trusted_hosts(config) -> list[str] | None:
    """Flask's TRUSTED_HOSTS from WEBAPP_TRUSTED_HOSTS (a list, or names separated by commas)
    and the public URL's host; None (every host) when neither is set, as under `make dev`."""
    hosts = config.get("TRUSTED_HOSTS") or []
    if isinstance(hosts, str):
        hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    if config["PUBLIC_URL"]:
        hosts = [*hosts, urlsplit(config["PUBLIC_URL"]).hostname]
    return hosts or None


class PublicURLFlask(Flask):
    """Builds external URLs (and the slash redirect) from PUBLIC_URL when it is set."""

    def create_url_adapter(self, request):
        public = self.config["PUBLIC_URL"]
        if not public:
            return super().create_url_adapter(request)
        scheme, host = parse(public)
        if request is None:
            return self.url_map.bind(host, url_scheme=scheme, subdomain="")
        adapter = super().create_url_adapter(request)
        adapter.server_name, adapter.url_scheme = host, scheme
        return adapter


def refuse_host(exc: SecurityError):
    # No page in the visitor's language: without a trusted host there is no URL adapter
    # for the error page's links, and nothing in it is for a real visitor anyway.
    return "Bad request: unknown host\n", 400, {"Content-Type": "text/plain; charset=utf-8"}


def relative_location(response):
    """A redirect to this very host (the slash redirect) is sent without the Host it came with."""
    if response.location and not current_app.config["PUBLIC_URL"]:
        own = request.host_url
        if response.location.startswith(own):
            response.location = "/" + response.location[len(own):]
    return response


def init_app(app) -> None:
    if app.config["PUBLIC_URL"]:
        parse(app.config["PUBLIC_URL"])
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    app.register_error_handler(SecurityError, refuse_host)
    app.after_request(relative_location)
