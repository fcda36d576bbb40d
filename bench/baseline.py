"""The baselines `make bench` measures the site against: Flask doing the least it can for the same job.

gunicorn runs them with the same gunicorn.conf.py as the site:
`gunicorn -c gunicorn.conf.py 'bench.baseline:page_app()'`.
"""

import os
import sqlite3

from flask import Flask, request


def page_app() -> Flask:
    """Returns a fixed string as long as the page (BENCH_PAGE holds the page as served)."""
    with open(os.environ["BENCH_PAGE"], "rb") as f:
        body = f.read()
    app = Flask(__name__)

    @app.get("/")
    def page():
        return body, 200, {"Content-Type": "text/html; charset=utf-8"}

    return app


def insert_app() -> Flask:
    """Inserts one row per POST, committed with synchronous=FULL, like a stored submission.

    Over one connection per worker, kept, as the site keeps one per thread (webapp/db.py): with a
    connection per request this baseline lost 35-65 % of its rate (bench/README.md, run 6)."""
    path = os.environ["BENCH_DATABASE"]
    app = Flask(__name__)
    kept = {}

    @app.post("/")
    def insert():
        conn = kept.get(os.getpid())  # opened in the worker, after gunicorn's fork
        if conn is None:
            conn = kept[os.getpid()] = sqlite3.connect(path)
            conn.execute("PRAGMA synchronous=FULL")
        with conn:
            conn.execute("INSERT INTO submissions (message) VALUES (?)", [request.form.get("message", "")])
        return "", 303, {"Location": "/"}

    return app


def create_insert_database(path: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")  # as the site's database
    conn.execute("CREATE TABLE submissions (id INTEGER PRIMARY KEY, message TEXT NOT NULL)")
    conn.close()
