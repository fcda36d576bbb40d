"""ops/nginx.conf as the README installs it, run by Debian's nginx on loopback ports in front of
gunicorn: unknown hosts closed, the public name in every absolute URL, the id in nginx's log and
the site's, no address in nginx's log, /healthz for the monitoring host only, a page when
gunicorn is down. (Changed for the test only: ports, paths and certificates.)"""

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import trustme

from tests.live_server import LiveServer

pytestmark = [
    pytest.mark.slow,  # nginx and gunicorn
    pytest.mark.skipif(not shutil.which("nginx"), reason="needs Debian's nginx (make test-tools)"),
]

ROOT = Path(__file__).resolve().parent.parent
NAME = "internationellt.goteborg.se"
PUBLIC = f"https://{NAME}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_config(sample: str, folder: Path, ports: dict, upstream: str, cert: Path, key: Path) -> str:
    text = re.sub(r"^\s*listen \[::\]:.*\n", "", sample, flags=re.M)
    text = re.sub(r"listen (80|443)\b", lambda m: f"listen 127.0.0.1:{ports[m.group(1)]}", text)
    assert "listen 127.0.0.1" in text and "[::]" not in text
    replacements = {
        "127.0.0.1:8000": upstream,
        f"/etc/ssl/certs/{NAME}.fullchain.pem": str(cert),
        f"/etc/ssl/private/{NAME}.key": str(key),
        "/var/log/nginx/": f"{folder}/",
        "/srv/webapp/": f"{ROOT}/",
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def main_config(folder: Path) -> str:
    temp = "\n".join(f"  {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/main-error.log;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n{temp}\n  access_log {folder}/other-access.log;\n"
        f"  include {folder}/site.conf;\n}}\n"
    )


class Nginx:
    def __init__(self, folder: Path, upstream: str):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.ca = trustme.CA()
        cert = self.ca.issue_cert(NAME)
        cert.private_key_pem.write_to_path(folder / "key.pem")
        cert.cert_chain_pems[0].write_to_path(folder / "cert.pem")
        self.ports = {"80": free_port(), "443": free_port()}
        sample = (ROOT / "ops" / "nginx.conf").read_text()
        (folder / "site.conf").write_text(site_config(sample, folder, self.ports, upstream, folder / "cert.pem", folder / "key.pem"))
        (folder / "nginx.conf").write_text(main_config(folder))
        self.command = ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf")]
        self.process = None

    def test_config(self) -> subprocess.CompletedProcess:
        return subprocess.run([*self.command, "-t"], capture_output=True, text=True, timeout=30)

    def __enter__(self):
        self.process = subprocess.Popen(self.command, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.ports["443"]), timeout=1).close()
                return self
            except OSError:
                assert self.process.poll() is None, self.process.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=15)
        self.process.stderr.close()

    def https(self, path, host=None, sni=NAME, source="127.0.0.1"):
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        sock = socket.create_connection(("127.0.0.1", self.ports["443"]), timeout=10, source_address=(source, 0))
        conn = http.client.HTTPSConnection(sni, self.ports["443"], context=context, timeout=10)
        conn.sock = context.wrap_socket(sock, server_hostname=sni)
        return request(conn, path, host)

    def http(self, path, host=NAME):
        conn = http.client.HTTPConnection("127.0.0.1", self.ports["80"], timeout=10)
        return request(conn, path, host)

    def access_log(self) -> list[dict]:
        return [json.loads(line) for line in (self.folder / "webapp.access.log").read_text().splitlines()]


def request(conn, path, host):
    conn.request("GET", path, headers={"Host": host} if host else {})
    response = conn.getresponse()
    response.text = response.read().decode("utf-8", "replace")
    conn.close()
    return response


@pytest.fixture
def site(tmp_path):
    env = {"WEBAPP_PROXY_COUNT": "1", "WEBAPP_HTTPS": "true", "WEBAPP_PUBLIC_URL": PUBLIC}
    with LiveServer(tmp_path / "site", workers=1, env=env) as server:
        with Nginx(tmp_path / "nginx", server.url.removeprefix("http://")) as nginx:
            yield nginx, server


def test_the_sample_passes_nginx_t(tmp_path):
    result = Nginx(tmp_path, "127.0.0.1:9").test_config()
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_a_page_through_nginx_has_one_id_in_both_logs_and_no_address(site):
    nginx, server = site
    response = nginx.https("/sv/?utm_source=mail")
    assert response.status == 200
    request_id = response.getheader("X-Request-ID")
    (line,) = [entry for entry in nginx.access_log() if entry["request_id"] == request_id]
    assert line["path"] == "/sv/" and line["status"] == 200
    text = (nginx.folder / "webapp.access.log").read_text()
    assert "127.0.0.1" not in text and "utm_source" not in text and "Python" not in text
    logged = [json.loads(l) for l in server.log.read_text().splitlines() if request_id in l]
    assert [(l["path"], l["status"]) for l in logged] == [("/sv/", 200)]


def test_absolute_urls_name_the_public_address(site):
    nginx, _ = site
    sitemap = nginx.https("/sitemap.xml").text
    assert f"<loc>{PUBLIC}/sv/</loc>" in sitemap
    redirect = nginx.https("/sv")
    assert redirect.status == 308 and redirect.getheader("Location") == f"{PUBLIC}/sv/"


def test_unknown_hosts_are_closed_without_an_answer(site):
    nginx, _ = site
    with pytest.raises(http.client.RemoteDisconnected):
        nginx.https("/sitemap.xml", host="evil.example")
    with pytest.raises(http.client.RemoteDisconnected):
        nginx.http("/sitemap.xml", host="evil.example")
    with pytest.raises(ssl.SSLError):
        nginx.https("/", sni="evil.example")


def test_plain_http_goes_to_https_on_the_public_name(site):
    nginx, _ = site
    response = nginx.http("/sv/privacy?x=1")
    assert response.status == 301 and response.getheader("Location") == f"https://{NAME}/sv/privacy?x=1"


def test_healthz_only_for_the_monitoring_address(site):
    nginx, _ = site
    assert nginx.https("/healthz").status == 200  # 127.0.0.1, allowed in the sample
    assert nginx.https("/healthz", source="127.0.0.2").status == 403
    assert nginx.https("/sv/", source="127.0.0.2").status == 200


def test_a_page_in_swedish_and_english_while_gunicorn_is_down(site):
    nginx, server = site
    server.stop()
    response = nginx.https("/sv/")
    assert response.status == 502
    assert "Webbplatsen är tillfälligt otillgänglig" in response.text and "The site is temporarily unavailable" in response.text
    assert response.getheader("Content-Security-Policy") == "default-src 'none'"
