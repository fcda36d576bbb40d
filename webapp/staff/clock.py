"""The staff area's clock: the wall clock, or in tests one they can move (test_config
{"STAFF_CLOCK": callable}), so idle and absolute timeouts are tested without sleeping."""

import time
from datetime import datetime, timezone

from flask import current_app


def now() -> float:
    return current_app.config.get("STAFF_CLOCK", time.time)()


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")
