"""Build hook: ship the top-level ``migrations/`` inside the installed package.

The project metadata lives in ``pyproject.toml``; this file only adds one step to ``build_py``
so that a wheel carries the Alembic environment and revisions as ``dnsd/_migrations`` (where
:func:`dnsd.store.migrate.migrations_dir` finds them). An editable install reads ``migrations/``
from the source tree instead, so it copies nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "migrations"


class BuildWithMigrations(build_py):
    """``build_py`` plus a copy of ``migrations/`` into ``dnsd/_migrations``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "dnsd" / "_migrations"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(SOURCE, target, ignore=ignore, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithMigrations})
