"""Read Kubernetes manifests as ``kubectl apply -f`` does: files, directories, stdin.

Directories are walked recursively for ``.yaml``, ``.yml`` and ``.json`` files (in name order);
a YAML file may hold many documents; ``List`` kinds (``kind: List`` or ``ServiceList`` etc.)
are unpacked. Documents of kinds dnsd does not read are counted and left alone.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.k8s.objects import KubeObject, from_dict, kind_of

EXTENSIONS = (".yaml", ".yml", ".json")
STDIN = "-"


@dataclass(slots=True)
class Manifests:
    """The objects read (later documents replace earlier ones with the same key) and how many
    documents were of other kinds."""

    objects: dict[tuple[str, str, str], KubeObject] = field(default_factory=dict)
    ignored: int = 0


def manifest_files(paths: Iterable[str]) -> list[Path]:
    """Expand files and directories into the manifest files they name, in a stable order."""
    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if text == STDIN:
            files.append(path)
        elif path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in EXTENSIONS)
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidInput([Reason("filename", f"{text}: no such file or directory")])
    return files


def _documents(path: Path) -> Iterator[Any]:
    text = sys.stdin.read() if str(path) == STDIN else path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".json":
            yield json.loads(text)
        else:
            yield from yaml.safe_load_all(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InvalidInput([Reason("filename", f"{path}: not valid YAML/JSON: {exc}")]) from None


def _flatten(doc: Any) -> Iterator[Any]:
    if isinstance(doc, Mapping) and str(doc.get("kind", "")).endswith("List") and "items" in doc:
        for item in doc.get("items") or []:
            yield from _flatten(item)
    elif doc is not None:
        yield doc


def load_manifests(paths: Iterable[str], default_namespace: str = "default") -> Manifests:
    """Read every object of a kind dnsd reads from ``paths``. Raises :class:`InvalidInput`
    naming the file for unreadable YAML/JSON or a malformed object of our kinds."""
    out = Manifests()
    for path in manifest_files(paths):
        for doc in (d for raw in _documents(path) for d in _flatten(raw)):
            if not isinstance(doc, Mapping) or kind_of(doc) is None:
                out.ignored += 1
                continue
            try:
                obj = from_dict(doc, default_namespace)
            except ValueError as exc:
                raise InvalidInput([Reason("filename", f"{path}: {exc}")]) from None
            out.objects[obj.key] = obj
    return out
