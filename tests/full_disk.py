"""A disk that fills up, for real: run by tests/test_disk.py inside its own mount namespace, with
FOLDER a tmpfs of a few megabytes mounted there. Fills the disk, sends the form, asks /healthz and
`flask check`, frees the disk and sends the same form again; prints what each answered as JSON.

python -m tests.full_disk FOLDER ASSETS_DIR"""

import errno
import json
import sys
from pathlib import Path

from tests.helpers import Visitor, make_app, rows, textarea

MESSAGE = "Skickat när disken var full, sparat när den inte längre var det."


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    return filler


def main(folder: Path, assets: str) -> dict:
    app = make_app(folder, ASSETS_DIR=assets, DATABASE_TIMEOUT=0.5, DISK_MIN_FREE_MB=1)
    client, runner = app.test_client(), app.test_cli_runner()
    visitor = Visitor(client)
    health_before = client.get("/healthz").status_code  # the worker's connection is open, as in a running site
    filler = fill(folder)
    full = visitor.submit(message=MESSAGE)
    health_full = client.get("/healthz")
    check_full = runner.invoke(args=["check"])
    filler.unlink()
    stored_while_full = len(rows(app))
    again = visitor.submit(message=MESSAGE)
    return {
        "health_before": health_before,
        "full_status": full.status_code,
        "full_text_kept": textarea(full.text) == MESSAGE,
        "stored_while_full": stored_while_full,
        "health_full": [health_full.status_code, health_full.json],
        "check_full": [check_full.exit_code, check_full.output],
        "again_status": again.status_code,
        "stored": [row["message"] for row in rows(app)],
        "health_after": client.get("/healthz").status_code,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2])))
