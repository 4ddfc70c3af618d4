"""Atomic, change-only zone file writes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from dnsd.export.writer import UNCHANGED, WRITTEN, write_if_changed, zone_file_path


def test_writes_then_reports_unchanged_without_touching_the_file(tmp_path: Path) -> None:
    path = zone_file_path(tmp_path / "zones", "example.com")
    assert path == tmp_path / "zones" / "example.com.zone"
    assert write_if_changed(path, "one\n") == WRITTEN
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert write_if_changed(path, "one\n") == UNCHANGED
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert write_if_changed(path, "two\n") == WRITTEN
    assert path.read_text() == "two\n"
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    assert sorted(p.name for p in path.parent.iterdir()) == ["example.com.zone"]


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "example.com.zone"
    target.mkdir()  # renaming a file over a directory fails
    with pytest.raises(OSError):
        write_if_changed(target, "data\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example.com.zone"]


def test_readers_only_ever_see_a_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "z.zone"
    versions = ["a" * 200_000 + "\n", "b" * 300_000 + "\n"]
    write_if_changed(path, versions[0])
    seen: set[str] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(path.read_text())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(60):
            write_if_changed(path, versions[i % 2])
    finally:
        done.set()
        reader.join(10)
    assert seen <= set(versions) and seen
