"""/healthz for the operators' monitoring: the database, the mail waiting, the newest backup's age and the
database disk's free space."""

import time
from pathlib import Path

from flask import Blueprint, current_app, jsonify

from . import backups, disk
from .db import get_db
from .mail import outbox

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database takes a write lock and its disk has room, 503 when not. Mail waiting
    (an SMTP server down) does not make the site unhealthy: the form works and keeps it queued."""
    try:
        db = get_db()
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        now = time.time()
        mail = outbox.queued(db, now)
        backup = backups.last(db)
        free = disk.free_bytes(Path(current_app.config["DATABASE"]).parent)
    except Exception as exc:  # any failure means "not healthy", never a 500
        return jsonify(status="unavailable", database=type(exc).__name__), 503
    if free < disk.FULL_BELOW_BYTES:
        return jsonify(status="unavailable", database="disk full", disk_free_bytes=free), 503
    return jsonify(
        status="ok",
        database="writable",
        mail_queued=mail["queued"],
        mail_oldest_queued_seconds=mail["oldest_queued_seconds"],
        # None: no backup was ever recorded. Monitoring decides what is too old (flask check: WEBAPP_BACKUP_MAX_AGE_HOURS).
        backup_age_seconds=round(now - backup["made_at"]) if backup else None,
        # flask check fails below WEBAPP_DISK_MIN_FREE_MB; a full disk fails every submission.
        disk_free_bytes=free,
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
