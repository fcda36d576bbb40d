"""Every gunicorn worker sends the outbox's mail from a thread of its own, with and without
--preload; gunicorn's master holds none (a thread must not cross a fork)."""

import time
from pathlib import Path

import pytest

from tests.live_server import LiveServer
from tests.mail_server import SMTPServer
from tests.reliability.mail import smtp_env
from webapp.contact import submissions
from webapp.db import connect


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError(f"no thread count for {pid}")


def workers_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def started_workers(pid: int, count: int, seconds: float = 20.0) -> list[int]:
    """The master's workers once `count` of them have each started their mail sender, or all there
    are when the time is up: the worker gunicorn forks last may still be starting when the first
    has already sent the mail (a run failed on that)."""
    deadline = time.monotonic() + seconds
    while True:
        workers = workers_of(pid)
        if (len(workers) == count and all(threads(worker) >= 2 for worker in workers)) or time.monotonic() > deadline:
            return workers
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("preload", [False, True])
def test_each_worker_sends_and_the_master_does_not(tmp_path, preload):
    with SMTPServer() as smtp:
        env = {**smtp_env(smtp.port), "GUNICORN_CMD_ARGS": "--preload" if preload else ""}
        with LiveServer(tmp_path, workers=2, env=env) as server:
            db = connect(server.database)
            reference = submissions.store(db, locale="sv", form_key="k", email=None, message="Hej")
            db.close()
            (mail,) = smtp.recorder.wait_for(1)
            assert reference in mail["Subject"]
            assert threads(server.pid) == 1
            workers = started_workers(server.pid, 2)
            assert len(workers) == 2 and all(threads(pid) >= 2 for pid in workers)
