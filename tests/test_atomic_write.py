"""One way to write a file: complete or not at all, never half."""

import stat

import pytest

from webapp.atomic_write import replacing, write_atomically


def test_writes_the_file_with_its_mode_and_leaves_nothing_beside_it(tmp_path):
    path = tmp_path / "sub" / "file.txt"
    write_atomically(path, b"one")
    assert path.read_bytes() == b"one" and stat.S_IMODE(path.stat().st_mode) == 0o644
    write_atomically(path, b"two", mode=0o600)
    assert path.read_bytes() == b"two" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["file.txt"]


def test_an_existing_file_is_kept_when_asked(tmp_path):
    path = tmp_path / "key"
    write_atomically(path, b"first", replace=False)
    write_atomically(path, b"second", replace=False)  # a second worker starting at the same time
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["key"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "catalog.mo"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with replacing(path) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("disk full")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.mo"]


def test_until_the_block_ends_readers_see_the_old_file(tmp_path):
    path = tmp_path / "site.css"
    path.write_bytes(b"old")
    with replacing(path) as tmp:
        tmp.write_bytes(b"new")
        assert path.read_bytes() == b"old"
    assert path.read_bytes() == b"new"
