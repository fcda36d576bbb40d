"""Free space on the disks the site writes to: the database's, and that of the folder the newest
backup went to (often the same disk). When the database's disk is full every submission fails
("database or disk is full") and the visitor is asked to send again later, so `flask check` says so
while there is still room (WEBAPP_DISK_MIN_FREE_MB), and /healthz gives the free bytes."""

import os
import shutil
from pathlib import Path

from sqlite_utils import Database

from . import backups


# Less free than this on the database's disk and a submission, its search index and its mails may
# not fit: /healthz then says the site cannot take messages.
FULL_BELOW_BYTES = 2**20


def free_bytes(folder: str | Path) -> int:
    """What the site's user may still write there (the blocks reserved for root left out)."""
    return shutil.disk_usage(folder).free


def watched_folders(database: str | Path, db: Database) -> list[Path]:
    """The database's folder, and the newest backup's when it is on another file system."""
    folders = [Path(database).parent]
    if newest := backups.last(db):
        folders.append(Path(newest["file"]).parent)
    seen, watched = set(), []
    for folder in folders:
        try:
            device = os.stat(folder).st_dev
        except OSError:  # a backup folder since removed: the next backup's own alarm says so
            continue
        if device not in seen:
            seen.add(device)
            watched.append(folder)
    return watched


def alarms(database: str | Path, db: Database, min_free_mb: float) -> list[str]:
    """What `flask check` reports for each watched disk with less than `min_free_mb` free (0: not checked)."""
    if not min_free_mb:
        return []
    found = []
    for folder in watched_folders(database, db):
        free_mb = free_bytes(folder) / 2**20
        if free_mb < min_free_mb:
            found.append(
                f"Only {free_mb:.0f} MB are free on the disk that holds {folder}, less than WEBAPP_DISK_MIN_FREE_MB"
                f" ({min_free_mb:g}): when the database's disk is full no message can be stored. Remove old backups"
                " or logs, or give the disk more room."
            )
    return found


def min_free_problems(app) -> list[str]:
    value = app.config["DISK_MIN_FREE_MB"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return [f"WEBAPP_DISK_MIN_FREE_MB is {value!r}; it must be a number of megabytes (0: not checked)."]
    return []
