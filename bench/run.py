"""`make bench`: the site under gunicorn with its production settings, against minimal Flask baselines.

In one run, on 127.0.0.1 only, with a temporary instance folder and database:
- GET /sv/ at 16 connections (wrk), plain and as a browser asks for it (br, gzip),
  against a Flask app returning a fixed string as long as the page;
- POST of valid contact-form submissions (visitors who fetched the page first, posting
  with the Origin and Sec-Fetch-Site a browser sends), against a Flask app that only inserts a row with synchronous=FULL;
  meanwhile the site sends the office's notifications to a local aiosmtpd, and one more
  visitor's acknowledgements are timed against their notification's acceptance (bench/mail.py);
- a backlog of 5000 queued notifications draining into a local aiosmtpd;
- the page's render time in-process (median of many) and its first-view bytes;
- the staff inbox over 100 000 seeded submissions: its queries in one process, and its pages over HTTP
  as a registrar signed in gets them from one worker (bench/inbox.py, bench/inbox_http.py);
- /healthz and `flask mail status` over a million sent mails (bench/health.py).
Prints a table and writes build/bench.json. A benchmark, not a test: the numbers
depend on the machine and on whatever else it is doing.
"""

import json
import logging
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import render_template  # noqa: E402

from bench import health, inbox, mail  # noqa: E402
from bench.baseline import create_insert_database  # noqa: E402
from tests.live_server import Gunicorn, gunicorn_setting  # noqa: E402
from tests.mail_server import SMTPServer  # noqa: E402
from tests.reliability.mail import smtp_env  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.db import migrate  # noqa: E402
from webapp.contact import time_trap  # noqa: E402
from webapp.contact.forms import ContactForm, new_form_key  # noqa: E402
from webapp.settings import DEFAULTS  # noqa: E402
from webapp.web.page_weight import first_view  # noqa: E402

CONNECTIONS = 16
THREADS = 2
DURATION = int(os.environ.get("BENCH_SECONDS", 5))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
WARMUP = 2
RENDERS = 500
# get_cpu: a page view's CPU at most 1.3 times the fixed string's (the CPU ratio at least 1 / 1.3).
TARGETS = {"get_ratio": 0.80, "get_cpu_ratio": 1 / 1.3, "post_ratio": 0.50, "get_p99_ms": 50, "notification_p99_ms": 5000, "drain_per_s": 200}
BACKLOG = 5000
# Forms made for each second of a POST run: more than the site stores a second on the 2-core machine.
MAX_POST_RATE = 3000
BROWSER = {"Accept-Encoding": "br, gzip"}
REPORT_LUA = (ROOT / "bench" / "report.lua").read_text()
POST_LUA = (ROOT / "bench" / "post.lua").read_text()


def http(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def cpu_seconds(server: Gunicorn) -> float:
    """CPU time used so far by gunicorn's master and its workers: unlike requests per
    second, hardly changed by whatever else the machine is running."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == server.pid or stat.parent.name == str(server.pid):  # ppid, pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def gunicorn(app: str, env: dict, logs: Path) -> Gunicorn:
    """gunicorn -c gunicorn.conf.py APP on a free loopback port, logging into `logs`."""
    name = re.sub(r"\W+", "-", app).strip("-")
    return Gunicorn(app, log=logs / f"{name}.log", env=env, ready="/")


def wrk(url: str, script: str, headers: dict | None, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script + "\n" + REPORT_LUA)
    try:
        command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "5s", "-s", f.name]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    summary = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH "))[6:])
    seconds = summary["duration_us"] / 1e6
    return {
        "requests": summary["requests"],
        "seconds": round(seconds, 2),
        "rps": round(summary["requests"] / seconds, 1),
        "p50_ms": round(summary["p50_us"] / 1000, 2),
        "p99_ms": round(summary["p99_us"] / 1000, 2),
        "max_ms": round(summary["max_us"] / 1000, 2),
        "status_errors": summary["status_errors"],
        "socket_errors": summary["socket_errors"],
        "loadavg": os.getloadavg()[0],
    }


def count_rows(path: Path, where: str = "1") -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM submissions WHERE {where}").fetchone()[0]
    finally:
        conn.close()


def run(scenario: tuple, seconds: int) -> dict:
    """One wrk run of (server, path, script, headers, (database, which rows) or None).

    For a POST load the rows it stored are counted: submissions stored per second,
    not responses. The server's CPU time per request (per stored row) is recorded too.
    """
    server, path, script, headers, rows = scenario
    script = script(seconds) if callable(script) else script
    before = count_rows(*rows) if rows else 0
    cpu = cpu_seconds(server)
    result = wrk(server.url + path, script, headers, seconds)
    cpu = cpu_seconds(server) - cpu
    done = result["requests"]
    if rows:
        done = result["stored"] = count_rows(*rows) - before
        result["stored_per_s"] = round(done / result["seconds"], 1)
    result["cpu_ms"] = round(cpu * 1000 / done, 3) if done else None
    return result


def median_run(runs: list[dict]) -> dict:
    """The run with the median rate, so its latencies belong to the same run."""
    key = "stored_per_s" if "stored_per_s" in runs[0] else "rps"
    return {**sorted(runs, key=lambda r: r[key])[len(runs) // 2], "rounds": runs}


def fresh_forms(secret_key: str, count: int) -> list[tuple[str, str]]:
    """`count` forms as pages served a moment ago held them: a new form key each, with its time
    trap's stamp, signed with the site's key, older than the trap's minimum."""
    at = time.time() - DEFAULTS["MAIL_SPAM_MIN_SECONDS"] - 1
    return [(key, time_trap.stamp(key, at, secret_key)) for key in (new_form_key() for _ in range(count))]


def post_script(url: str, secret_key: str, folder: Path):
    """The POST scenario's wrk script for a run of `seconds`: enough fresh forms for its rate."""

    def script(seconds: int) -> str:
        forms = folder / "forms.txt"
        forms.write_text("".join(f"{key} {served}\n" for key, served in fresh_forms(secret_key, seconds * MAX_POST_RATE)))
        values = ", ".join(json.dumps(v) for v in (str(forms), THREADS, "/sv/contact", url))
        return f"local forms_file, threads, path, origin = {values}\n" + POST_LUA

    return script


def in_process() -> dict:
    """Render time of /sv/ inside one process, and what its first view transfers."""
    app = create_app()
    client = app.test_client()
    # The request log would print a line per measured request into the report;
    # writing it is still timed, into a discarded stream.
    for handler in logging.getLogger("webapp.requests").handlers:
        handler.setStream(open(os.devnull, "w"))

    def median_ms(call) -> float:
        for _ in range(20):
            call()
        times = []
        for _ in range(RENDERS):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        return round(statistics.median(times) * 1000, 3)

    with app.test_request_context("/sv/"):
        app.preprocess_request()
        render = median_ms(lambda: render_template("index.html", form=ContactForm()))
    request = median_ms(lambda: client.get("/sv/"))
    request_br = median_ms(lambda: client.get("/sv/", headers=BROWSER))
    resources = first_view(client, "/sv/")
    return {
        "render_ms": render,
        "request_ms": request,
        "request_br_ms": request_br,
        "first_view_bytes": sum(r.bytes for r in resources),
        "first_view_requests": len(resources),
        "first_view": [
            {"url": r.url, "status": r.status, "encoding": r.encoding, "bytes": r.bytes} for r in resources
        ],
    }


def drain(work: Path, env: dict) -> dict:
    """A backlog of BACKLOG queued notifications, sent by the site's workers as they start."""
    instance = work / "drain"
    migrate(instance / "webapp.sqlite3")
    mail.fill_outbox(instance / "webapp.sqlite3", BACKLOG)
    with SMTPServer() as smtp:
        started = time.time()
        with gunicorn("wsgi:app", {**env, **smtp_env(smtp.port), "WEBAPP_INSTANCE_PATH": str(instance)}, work):
            return mail.drain_rate(smtp.recorder, BACKLOG, started)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gunicorn_workers": gunicorn_setting("workers"),
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip(),
        "loadavg_at_start": os.getloadavg(),
    }


def ratios(runs: dict, key=lambda r: r.get("stored_per_s", r["rps"])) -> dict:
    """Each scenario's key(run) over its baseline's in the same round; the median over the rounds."""
    result = {}
    for name, scenario_runs in runs.items():
        base = runs["post_baseline" if name.startswith("post") else "get_baseline"]
        per_round = [key(r) / key(b) for r, b in zip(scenario_runs, base) if key(r) and key(b)]
        result[name] = round(statistics.median(per_round), 3) if per_round else None
    return result


def table(results: dict) -> str:
    rows = [f"{'':30} {'per s':>7} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6} {'CPU ms':>7} {'CPU ratio':>9}"]
    s = results["scenarios"]
    for label, key in [
        ("GET baseline (fixed string)", "get_baseline"),
        ("GET /sv/", "get"),
        ("GET /sv/ (br, gzip)", "get_br"),
        ("POST baseline (insert, FULL)", "post_baseline"),
        ("POST /sv/contact (stored)", "post"),
    ]:
        r = s[key]
        cpu = statistics.median(x["cpu_ms"] for x in r["rounds"] if x["cpu_ms"])
        rows.append(
            f"{label:30} {r.get('stored_per_s', r['rps']):7.0f} {r['p50_ms']:7.2f} {r['p99_ms']:7.2f}"
            f" {results['ratios'][key]:6.2f} {cpu:7.3f} {results['cpu_ratios'][key]:9.2f}"
        )
    p = results["in_process"]
    m = results["machine"]
    n, q, d = (results["mail"][key] for key in ("notification", "from_queueing", "drain"))
    rows += [
        f"notification, acknowledgement to SMTP acceptance, during the POST load: p50 {n['p50_ms']:.0f} ms,"
        f" p99 {n['p99_ms']:.0f} ms, max {n['max_ms']:.0f} ms ({n['count']} probes, {n['missing']} never arrived,"
        f" {n['refused']} not acknowledged)",
        f"notification, queued (before the commit) to SMTP acceptance, every POST: p50 {q['p50_ms']:.0f} ms,"
        f" p99 {q['p99_ms']:.0f} ms, max {q['max_ms']:.0f} ms ({q['count']} mails, {q['missing']} never arrived)",
        f"backlog of {BACKLOG} notifications: {d['mails']} accepted at {d['per_s']} per s"
        f" ({d['seconds']} s from the first to the last; {d['seconds_from_start']} s from starting gunicorn;"
        f" load average {d['loadavg']:.1f})",
    ]
    if results["spam_rows"]:
        rows.append(f"WARNING: {results['spam_rows']} POSTs were held back as spam (the time trap): rates are wrong")
    rows += [
        f"in-process median: render {p['render_ms']} ms, request {p['request_ms']} ms ({p['request_br_ms']} ms with br)",
        f"first view of /sv/: {p['first_view_bytes']} bytes in {p['first_view_requests']} requests",
        f"machine: {m['cores']} cores ({m['cpu']}), Python {m['python']}, {m['gunicorn_workers']} gunicorn workers,"
        f" load average at start {m['loadavg_at_start'][0]:.2f}",
        "ratio: requests (or stored rows) per second over the baseline's, median of the rounds;"
        " CPU ms: the server's CPU time per request; CPU ratio: the baseline's CPU per request over this one's",
        "targets: " + ", ".join(f"{k} {v}: {'met' if results['targets'][k] else 'MISSED'}" for k, v in TARGETS.items()),
    ]
    return "\n".join(rows)


def main() -> None:
    build = ROOT / "build"
    build.mkdir(exist_ok=True)
    # Never the host's /etc/webapp/env (its public URL, HTTPS, database), in any part: set but empty reads no file.
    os.environ["WEBAPP_ENV_FILE"] = ""
    only = {"inbox": inbox, "health": health}.get(os.environ.get("BENCH_ONLY", ""))
    if only:
        print(only.table(only.run()))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=build))  # on the same disk as a real instance
    instance = work / "instance"
    database = instance / "webapp.sqlite3"
    migrate(database)
    baseline_db = work / "baseline.sqlite3"
    create_insert_database(str(baseline_db))
    env = {
        "WEBAPP_INSTANCE_PATH": str(instance),
        # The limiter still runs, but 127.0.0.1 sending thousands of messages is the point here.
        "WEBAPP_CONTACT_RATE_LIMIT": "1000000 per minute",
    }
    os.environ.update(env)
    os.environ.pop("FLASK_DEBUG", None)
    results = {"machine": machine(), "connections": CONNECTIONS, "seconds": DURATION, "rounds": ROUNDS}
    try:
        results["in_process"] = in_process()
        with ExitStack() as servers:
            smtp = servers.enter_context(SMTPServer())
            site = servers.enter_context(gunicorn("wsgi:app", {**env, **smtp_env(smtp.port)}, work))
            page = http(site.url + "/sv/")[2]
            (work / "page.html").write_bytes(page)
            page_baseline = servers.enter_context(
                gunicorn("bench.baseline:page_app()", {"BENCH_PAGE": str(work / "page.html")}, work)
            )
            insert_baseline = servers.enter_context(
                gunicorn("bench.baseline:insert_app()", {"BENCH_DATABASE": str(baseline_db)}, work)
            )
            secret_key = create_app().secret_key  # the site's: the same instance folder
            post_form = post_script(site.url, secret_key, work)
            post_plain = (
                'wrk.method = "POST"\nwrk.body = "message=Benchmark+message"\n'
                'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
            )
            scenarios = {
                "get_baseline": (page_baseline, "/", "", None, None),
                "get": (site, "/sv/", "", None, None),
                "get_br": (site, "/sv/", "", BROWSER, None),
                "post_baseline": (insert_baseline, "/", post_plain, None, (baseline_db, "1")),
                "post": (site, "", post_form, None, (database, "status = 'new'")),
            }
            probe = mail.Probe(site.url, lambda: fresh_forms(secret_key, 1)[0])
            for scenario in scenarios.values():
                run(scenario, WARMUP)
            # Round by round, each in another order, so load from elsewhere on the
            # machine hits the site and the baselines alike.
            runs = {name: [] for name in scenarios}
            names = list(scenarios)
            for n in range(ROUNDS):
                for name in names[n % len(names):] + names[: n % len(names)]:
                    with probe if name == "post" else nullcontext():
                        runs[name].append(run(scenarios[name], DURATION))
            results["mail"] = {
                "notification": mail.notification_latency(probe, smtp.recorder),
                "from_queueing": mail.queued_latency(database, smtp.recorder),
            }
            results["spam_rows"] = count_rows(database, "status = 'spam'")
        results["mail"]["drain"] = drain(work, env)
        results["scenarios"] = {name: median_run(r) for name, r in runs.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    s = results["scenarios"]
    results["page_bytes"] = len(page)  # uncompressed; the GET baseline returns as many
    results["ratios"] = ratios(runs)
    # Baseline CPU per request over the site's: what the rate ratio would be on an otherwise idle machine.
    results["cpu_ratios"] = ratios(runs, key=lambda r: 1 / r["cpu_ms"] if r["cpu_ms"] else None)
    results["targets"] = {
        "get_ratio": min(results["ratios"]["get"], results["ratios"]["get_br"]) >= TARGETS["get_ratio"],
        "get_cpu_ratio": min(results["cpu_ratios"]["get"], results["cpu_ratios"]["get_br"]) >= TARGETS["get_cpu_ratio"],
        "post_ratio": results["ratios"]["post"] >= TARGETS["post_ratio"],
        "get_p99_ms": max(s["get"]["p99_ms"], s["get_br"]["p99_ms"]) < TARGETS["get_p99_ms"],
        "notification_p99_ms": results["mail"]["notification"]["p99_ms"] < TARGETS["notification_p99_ms"],
        "drain_per_s": (results["mail"]["drain"]["per_s"] or 0) >= TARGETS["drain_per_s"],
    }
    results["inbox"] = inbox.run()
    results["targets"]["inbox_p99_ms"] = results["inbox"]["within_target"]
    results["health"] = health.run()
    results["targets"]["health_queued_ms"] = results["health"]["within_target"]
    results["machine"]["loadavg_at_end"] = os.getloadavg()
    (build / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(inbox.table(results["inbox"]))
    print(health.table(results["health"]))
    print(f"wrote {build / 'bench.json'}")


if __name__ == "__main__":
    main()
