"""The real site under gunicorn on a free loopback port, and Debian's Chromium to look at it.

Used by the browser tests' fixtures and by `make screenshots`, so both see the same thing.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Playwright

from webapp.db import migrate

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium as root, headless, with nothing reaching for the network on its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class BrowserMissing(RuntimeError):
    pass


def chromium_path() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        raise BrowserMissing(
            f"{CHROMIUM} is missing: install Debian's chromium package (make test does so when run as root)."
        )
    return CHROMIUM


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)


class LiveServer:
    """gunicorn serving wsgi:app with its own database, instance folder and secret.

    The listening socket is bound here (port 0) and handed to gunicorn as fd://N,
    so no other process can take the port between choosing and binding it.
    """

    def __init__(self, folder: Path, workers: int = 2, env: dict[str, str] | None = None):
        self.folder = Path(folder)
        self.extra_env = env or {}
        self.instance = self.folder / "instance"
        self.database = self.instance / "webapp.sqlite3"
        self.log = self.folder / "gunicorn.log"
        self.workers = workers
        self.url = ""
        self._process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if not name.startswith("WEBAPP_")}
        env.update(
            WEBAPP_INSTANCE_PATH=str(self.instance),
            WEBAPP_DATABASE=json.dumps(str(self.database)),
            WEBAPP_SECRET_KEY=json.dumps("live-server-secret-key-for-browser-tests"),
            WEBAPP_HTTPS="false",
            # Tests submit the form many times from one address, the moment they get it
            # (the time trap's tests are in tests/test_time_trap.py).
            WEBAPP_RATELIMIT_ENABLED="false",
            WEBAPP_MAIL_SPAM_MIN_SECONDS="0",
        )
        env.update(self.extra_env)
        return env

    def start(self) -> "LiveServer":
        self.instance.mkdir(parents=True, exist_ok=True)
        migrate(self.database)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port = listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        # Appended to: a server started again on the same folder keeps the earlier log.
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn",
                    "--bind", f"fd://{listener.fileno()}",
                    "--workers", str(self.workers),
                    "--graceful-timeout", "5",
                    # gunicorn's control socket is one path per user, shared by every instance.
                    "--no-control-socket",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=self.environment(),
                pass_fds=[listener.fileno()],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        listener.close()  # gunicorn holds its own copy
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()  # __exit__ is not called when __enter__ fails: never leave a server behind
            raise
        return self

    def _wait_until_healthy(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self._process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:  # refused, reset or timed out while gunicorn starts (URLError is one too)
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not become healthy in {seconds} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Workers notice their master is gone and exit on their own.
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
