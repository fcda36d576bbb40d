"""Where a stored POST's time goes: py-spy on the site's gunicorn while wrk sends valid forms, as
`make bench` does (its POST scenario: new form keys with their stamps, the mail sent to a local
aiosmtpd meanwhile, the rate limit raised).

`.venv/bin/pip install py-spy`, then `.venv/bin/python bench/profile_post.py [raw samples file]`
(bench/README.md has the result). Prints the CPU time of the workers' request threads and of their
mail senders per stored POST (read from /proc), then each category's share of their samples.
`--cpu` measures the CPU time only, without py-spy (whose sampling costs the workers CPU too).
"""

import collections
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import count_rows, gunicorn, post_script, wrk  # noqa: E402
from tests.mail_server import SMTPServer  # noqa: E402
from tests.reliability.mail import smtp_env  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.db import migrate  # noqa: E402

SECONDS = 10
# First match wins, read from the innermost frame outwards; the frames' "function (file)" text.
CATEGORIES = [
    ("SQLite: BEGIN IMMEDIATE (the write lock)", "BEGIN IMMEDIATE"),
    ("SQLite: COMMIT (the fsync)", "COMMIT"),
    ("SQLite: connecting, PRAGMAs", "connect (webapp/db.py"),
    ("SQLite: the outbox", "outbox.py"),
    ("SQLite: other statements", "sqlite_utils/"),
    ("SQLite: other statements", "submissions.py"),
    ("mail: building it (email package)", "email/"),
    ("mail: building it", "messages.py"),
    ("mail: the SMTP exchange (smtplib, socket)", "smtplib.py"),
    ("mail: the sender's loop", "sender.py"),
    ("the request log line", "request_log.py"),
    ("the time trap's stamp", "time_trap.py"),
    ("the rate limit", "flask_limiter/"),
    ("the rate limit", "limits/"),
    ("the rate limit", "rate_limit_storage.py"),
    ("the form: WTForms, Flask-WTF, validation", "wtforms/"),
    ("the form: WTForms, Flask-WTF, validation", "flask_wtf/"),
    ("the form: WTForms, Flask-WTF, validation", "forms.py"),
    ("the form: WTForms, Flask-WTF, validation", "email_validator/"),
    ("Babel, the language", "babel"),
    ("Babel, the language", "i18n"),
    ("reading the form body", "form_bodies.py"),
    ("reading the form body", "formparser.py"),
    ("Flask and Werkzeug", "flask/"),
    ("Flask and Werkzeug", "werkzeug/"),
    ("gunicorn: parse, socket, close", "gunicorn/"),
]
IDLE = ("select", "accept", "wait (threading.py", "poll", "sleep")


def category(stack: str) -> str:
    for frame in stack.split(";")[::-1]:
        for name, needle in CATEGORIES:
            if needle in frame:
                return name
    return "other"


def main(keep: str | None = None) -> None:
    work = Path(tempfile.mkdtemp(prefix="profile-post-", dir=Path(__file__).resolve().parent.parent / "build"))
    try:
        instance = work / "instance"
        migrate(instance / "webapp.sqlite3")
        env = {"WEBAPP_INSTANCE_PATH": str(instance), "WEBAPP_CONTACT_RATE_LIMIT": "1000000 per minute"}
        os.environ.update(env)
        with SMTPServer() as smtp, gunicorn("wsgi:app", {**env, **smtp_env(smtp.port)}, work) as site:
            secret_key = create_app().secret_key  # the site's: the same instance folder
            script = post_script(site.url, secret_key, work)
            raw = work / "raw.txt"
            spy = None if keep == "--cpu" else subprocess.Popen(
                ["py-spy", "record", "--subprocesses", "--threads", "-f", "raw", "-r", "200", "-d", str(SECONDS + 2),
                 "-o", str(raw), "--pid", str(site.pid)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            before = thread_cpu(site.pid)
            result = wrk(site.url, script(SECONDS), None, SECONDS)
            after = thread_cpu(site.pid)
            if spy:
                spy.wait()
            stored = count_rows(instance / "webapp.sqlite3", "status = 'new'")
        print(f"{result['requests']} POSTs in {result['seconds']} s, {stored} stored")
        for thread in ("request", "sender"):
            user, system = ((after[thread][i] - before[thread][i]) * 1000 / stored for i in (0, 1))
            print(f"CPU of the {thread} threads: {user + system:.2f} ms per stored POST (user {user:.2f}, system {system:.2f})")
        if spy:
            report(raw.read_text())
        if spy and keep:
            Path(keep).write_text(raw.read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def thread_cpu(master: int) -> dict[str, float]:
    """CPU seconds so far, (user, system), of the workers' request threads (each worker's main
    thread) and of their other threads (the mail senders), from /proc."""
    cpu = {"request": [0.0, 0.0], "sender": [0.0, 0.0]}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != master:
                continue
            for task in (stat.parent / "task").iterdir():
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                thread = "request" if task.name == stat.parent.name else "sender"
                for i in (0, 1):  # utime, stime
                    cpu[thread][i] += int(fields[11 + i]) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue  # gone meanwhile
    return cpu


def report(samples: str) -> None:
    counts = {"request": collections.Counter(), "sender": collections.Counter()}
    idle = collections.Counter()
    for line in samples.splitlines():
        stack, _, n = line.rpartition(" ")
        if "wsgi" not in stack and "gunicorn" not in stack:
            continue  # the master's
        thread = "sender" if "sender.py" in stack else "request"
        innermost = stack.rsplit(";", 1)[-1]
        if any(word in innermost for word in IDLE):
            idle[thread] += int(n)
            continue
        counts[thread][category(stack)] += int(n)
    for thread, counter in counts.items():
        total = sum(counter.values())
        print(f"\n{thread} threads: {total} busy samples, {idle[thread]} idle")
        for name, n in counter.most_common():
            print(f"  {name:50} {100 * n / total:5.1f} %")


if __name__ == "__main__":
    main(*sys.argv[1:])
