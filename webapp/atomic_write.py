"""Files that are either wholly there or not at all: written beside their place, then moved in.

A running server, a concurrent reader or the next boot after a crash never sees half a file.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: str | Path, mode: int = 0o644, replace: bool = True):
    """Yield a temporary path beside `path` to write; once the block ends it becomes `path`.

    With replace=False an existing `path` is kept (several processes creating the
    same file at once all end up reading the first one's). An error inside the
    block leaves `path` untouched and removes the temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the new name itself reaches the disk
        finally:
            os.close(folder)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomically(path: str | Path, data: bytes, mode: int = 0o644, replace: bool = True) -> None:
    with replacing(path, mode, replace) as tmp:
        tmp.write_bytes(data)
