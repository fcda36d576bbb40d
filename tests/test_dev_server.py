"""`make dev` as a translator runs it: on the address WEBAPP_BIND names, drafts previewed."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from webapp import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_dev_listens_on_webapp_bind(tmp_path):
    port = free_port()
    env = {**os.environ, "WEBAPP_BIND": f"127.0.0.1:{port}", "WEBAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    log = (tmp_path / "dev.log").open("wb")
    server = subprocess.Popen(["make", "--no-print-directory", "dev"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (tmp_path / "dev.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sv/", timeout=2) as response:
                    assert response.status == 200
                    break
            # Listening before it answers: the reloader's parent holds the socket while its
            # child still imports the app, so a first request can time out reading.
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, (tmp_path / "dev.log").read_text()
                time.sleep(0.3)
        assert f"Running on http://127.0.0.1:{port}" in (tmp_path / "dev.log").read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # make, flask and its reloaded child: the group started here
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:  # a set-up step (pip) still at work may ignore SIGTERM
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
