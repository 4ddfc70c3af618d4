"""Issue 12 item 16: a built wheel (not the editable install) can run ``dnsd migrate``.

The wheel is built from the tracked files copied to a temporary directory, installed without
dependencies into a fresh virtualenv whose only other path is this virtualenv's site-packages
(for the dependencies; a ``.pth`` line does not run the editable install's hooks found there),
and its own ``dnsd`` migrates a new SQLite file from outside the source tree.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run(argv: list[str], cwd: Path) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def tracked_copy(dest: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        source, target = ROOT / name, dest / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    return dest


def test_wheel_ships_migrations_and_migrates(tmp_path: Path) -> None:
    source = tracked_copy(tmp_path / "src")
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)], tmp_path)
    (wheel,) = wheels.glob("dnsd-*.whl")
    with zipfile.ZipFile(wheel) as archive:  # the console's templates and files (issue 16)
        shipped = set(archive.namelist())
    assert {"api/ui/templates/base.html", "api/ui/static/htmx.min.js", "api/ui/static/console.css"} <= shipped

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(run([str(python), "-c", purelib], tmp_path).split()[-1])
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    run([*pip, "install", "--no-deps", "-q", str(wheel)], tmp_path)

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = run([str(python), "-c", "import dnsd, pathlib; print(pathlib.Path(dnsd.__file__).parent)"], work)
    assert Path(where.split()[-1]) == site / "dnsd"  # the wheel's dnsd, not the source tree's

    db = work / "fresh.db"
    out = run([str(env_dir / "bin" / "dnsd"), "--database-url", f"sqlite:///{db}", "migrate"], work)
    assert "migrated to head" in out
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"zones", "records", "pools", "changes", "alembic_version"} <= tables
