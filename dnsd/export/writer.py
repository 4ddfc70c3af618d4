"""Write zone files atomically, and only when their content changed.

named may read a zone file at any moment (``rndc reload``, a restart), so it must only ever see
the old file or the new one: the text goes to a temporary file in the same directory (same file
system, so the rename is atomic), is flushed to disk, then renamed over the target, and the
directory is synced so the rename itself survives a crash.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

WRITTEN, UNCHANGED = "written", "unchanged"


def zone_file_path(directory: Path, zone: str) -> Path:
    """Where the zone file of ``zone`` lives: ``<directory>/<zone>.zone``."""
    return directory / f"{zone}.zone"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_if_changed(path: Path, text: str, mode: int = 0o644) -> str:
    """Make ``path`` hold ``text`` (UTF-8). Returns :data:`WRITTEN` or :data:`UNCHANGED`.

    The file is replaced atomically; when it already holds exactly ``text`` nothing is touched
    (not even its mtime), so a reload command can be skipped. Raises ``OSError`` on failure,
    leaving the old file in place and no temporary file behind.
    """
    data = text.encode("utf-8")
    with contextlib.suppress(FileNotFoundError):
        if path.read_bytes() == data:
            return UNCHANGED
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return WRITTEN
