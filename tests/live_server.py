"""gunicorn with the production settings on a free loopback port: the one launcher of the browser
tests, the serving, concurrency and crash tests, the reliability suite and `make bench`.

It imports nothing from the test extra.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from webapp import ROOT
from webapp.db import migrate


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py APP` on a free port of 127.0.0.1, logging to `log`.

    The listening socket is bound here (port 0) and handed to gunicorn as fd://N,
    so no other process can take the port between choosing and binding it.
    `workers` overrides gunicorn.conf.py's number; `ready` is the path that must answer
    without a server error before start() returns.
    """

    def __init__(self, app: str = "wsgi:app", *, log: Path, env: dict[str, str] | None = None,
                 workers: int | None = None, ready: str = "/healthz"):
        self.app = app
        self.log = Path(log)
        self.extra_env = env or {}
        self.workers = workers
        self.ready = ready
        self.url = ""
        self._process: subprocess.Popen | None = None
        self._listener: socket.socket | None = None

    @property
    def pid(self) -> int:
        """gunicorn's master."""
        return self._process.pid

    def environment(self) -> dict[str, str]:
        return {**os.environ, **self.extra_env}

    def reserve(self) -> str:
        """Bind the listening socket now and return the URL gunicorn will serve, for settings that
        must name it before it starts (an OpenID Provider's redirect URI)."""
        if self._listener is None:
            self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._listener.bind(("127.0.0.1", 0))
            self._listener.listen(64)
            self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        return self.url

    def start(self):
        self.reserve()
        listener, self._listener = self._listener, None
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"fd://{listener.fileno()}"]
        if self.workers:
            command += ["--workers", str(self.workers)]
        # Appended to: a server started again on the same folder keeps the earlier log.
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [*command, self.app],
                cwd=ROOT,
                env=self.environment(),
                pass_fds=[listener.fileno()],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        listener.close()  # gunicorn holds its own copy
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()  # __exit__ is not called when __enter__ fails: never leave a server behind
            raise
        return self

    def _wait_until_ready(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self._process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + self.ready, timeout=2):
                    return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return
            except OSError:  # refused, reset or timed out while gunicorn starts
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer {self.ready} in {seconds} s:\n{self.log.read_text()}")

    def sign_in_link(self, email: str, role: str) -> str:
        """The path of a new one-time staff sign-in link, made by `flask staff link` as an operator
        makes one, with this server's settings (its database)."""
        output = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "webapp", "staff", "link", email, "--role", role],
            cwd=ROOT, env=self.environment(), capture_output=True, text=True, check=True,
        ).stdout
        return re.search(r"/staff/auth/link/[\w-]+", output).group(0)

    def terminate(self) -> None:
        """SIGTERM to the master, as systemd sends on stop; returns at once."""
        self._process.send_signal(signal.SIGTERM)

    def wait(self, seconds: float) -> int:
        code = self._process.wait(timeout=seconds)
        self._process = None
        return code

    def stop(self) -> None:
        if self._process is None:
            return
        self.terminate()
        try:
            self._process.wait(timeout=gunicorn_setting("graceful_timeout") + 5)
        except subprocess.TimeoutExpired:
            # Workers notice their master is gone and exit on their own.
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def gunicorn_setting(name: str):
    """A value of gunicorn.conf.py as the environment of this process makes it."""
    conf = {"__file__": str(ROOT / "gunicorn.conf.py")}
    exec((ROOT / "gunicorn.conf.py").read_text(), conf)
    return conf[name]


class LiveServer(Gunicorn):
    """The site (wsgi:app) with its own instance folder, migrated database and secret, under `folder`."""

    def __init__(self, folder: Path, workers: int | None = 2, env: dict[str, str] | None = None):
        self.folder = Path(folder)
        self.instance = self.folder / "instance"
        self.database = self.instance / "webapp.sqlite3"
        super().__init__("wsgi:app", log=self.folder / "gunicorn.log", env=env, workers=workers)

    def environment(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if not name.startswith("WEBAPP_")}
        env.update(
            WEBAPP_ENV_FILE="",  # not the host's /etc/webapp/env (tests/conftest.py)
            WEBAPP_INSTANCE_PATH=str(self.instance),
            WEBAPP_DATABASE=json.dumps(str(self.database)),
            WEBAPP_SECRET_KEY=json.dumps("live-server-secret-key-for-browser-tests"),
            WEBAPP_HTTPS="false",
            # Tests submit the form many times from one address, the moment they get it
            # (the time trap's tests are in tests/test_time_trap.py).
            WEBAPP_RATELIMIT_ENABLED="false",
            WEBAPP_MAIL_SPAM_MIN_SECONDS="0",
            # No SMTP server unless a test gives one: the mail goes to files, on purpose.
            WEBAPP_MAIL_FILE_DIR=str(self.instance / "mail"),
        )
        env.update(self.extra_env)
        return env

    def start(self) -> "LiveServer":
        self.instance.mkdir(parents=True, exist_ok=True)
        migrate(self.database)
        return super().start()
