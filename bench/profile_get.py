"""Where a page view's time goes: py-spy on the site's gunicorn while wrk asks for GET /sv/.

`.venv/bin/pip install py-spy`, then `.venv/bin/python bench/profile_get.py [Accept-Encoding]`
(bench/README.md has the result). Prints each category's share of the workers' samples.
"""

import collections
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.live_server import LiveServer  # noqa: E402

# First match wins, read from the innermost frame outwards; the frames' "function (file)" text.
CATEGORIES = [
    ("the request log line", "request_log.py"),
    ("the time trap's stamp", "time_trap.py"),
    ("the form key (uuid4)", "uuid.py"),
    ("filling the page (gzip splice, replace)", "spliced_gzip.py"),
    ("the cross-origin check", "cross_origin.py"),
    ("security headers", "security.py"),
    ("compression hook", "compression.py"),
    ("language, Babel", "babel"),
    ("language, Babel", "i18n"),
    ("htmx, form bodies", "htmx"),
    ("htmx, form bodies", "form_bodies.py"),
    ("whitenoise", "whitenoise"),
    ("Flask and Werkzeug", "flask/"),
    ("Flask and Werkzeug", "werkzeug/"),
    ("gunicorn: parse, socket, close", "gunicorn/"),
]


def category(stack: str) -> str:
    frames = stack.split(";")[::-1]
    for frame in frames:
        for name, needle in CATEGORIES:
            if needle in frame:
                return name
    return "other"


def main(accept: str = "gzip", *keep) -> None:
    with tempfile.TemporaryDirectory() as folder, LiveServer(Path(folder), workers=5) as server:
        raw = Path(folder) / "raw.txt"
        spy = subprocess.Popen(["py-spy", "record", "--subprocesses", "-f", "raw", "-r", "200", "-d", "12", "-o", str(raw), "--pid", str(server.pid)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["wrk", "-t2", "-c16", "-d10s", "-H", f"Accept-Encoding: {accept}", f"{server.url}/sv/"], check=True, stdout=subprocess.DEVNULL)
        spy.wait()
        counts = collections.Counter()
        for line in raw.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            if "wsgi" in stack or "gunicorn" in stack:  # the workers', not the master's sleep
                if "select" in stack.rsplit(";", 1)[-1] or "accept" in stack.rsplit(";", 1)[-1]:
                    continue  # waiting for a connection is not work
                counts[category(stack)] += int(n)
        total = sum(counts.values())
        for name, n in counts.most_common():
            print(f"{name:45} {100 * n / total:5.1f} %")
        print(f"({total} samples)")
        if len(sys.argv) > 2:  # keep the raw samples
            Path(sys.argv[2]).write_text(raw.read_text())


if __name__ == "__main__":
    main(*sys.argv[1:])
