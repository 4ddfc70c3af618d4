"""Every ``curl`` and ``dig`` example of README.md and docs/*.md runs as written against the demo
(issue 12 item 12): ``dnsd demo --serve`` (zones/demo.yaml, no auth) on free ports, examples in
document order, each answered with a success status; shell assignments in the examples
(``API=...``, ``ID=$(...)``) carry over to the later ones, as in a terminal."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DEMO_API = "127.0.0.1:8080"
ASSIGNMENT = re.compile(r"([A-Z][A-Z0-9_]*)=")
FENCE = re.compile(r"^\s*```")


@dataclass(frozen=True)
class Example:
    source: str  # file:line
    kind: str  # "curl", "dig" or "set"
    text: str  # the shell text as the document writes it


def complete(text: str) -> bool:
    try:
        shlex.split(text, comments=True)
    except ValueError:  # an open quote: the command goes on on the next line
        return False
    return not text.rstrip().endswith(("\\", "|"))


def plain_assignment(text: str) -> bool:
    """``NAME=value`` alone, or ``NAME=$(...)``: a shell variable for the examples after it."""
    return text.split("=", 1)[1].startswith("$(") or len(shlex.split(text, comments=True)) == 1


def code_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Lines of fenced blocks and of indented (4 spaces) blocks, with their line numbers."""
    fenced = False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
        elif fenced or line.startswith("    "):
            yield number, line


def examples(path: Path) -> list[Example]:
    found: list[Example] = []
    lines = list(code_lines(path))
    index = 0
    while index < len(lines):
        number, line = lines[index]
        start = line.strip().removeprefix("- ")  # a YAML CI step
        kind = next((k for k in ("curl", "dig") if start.startswith(f"{k} ")), None)
        if kind is None and ASSIGNMENT.match(start):
            kind = "set"
        index += 1
        if kind is None:
            continue
        text = start
        while not complete(text) and index < len(lines) and lines[index][0] == lines[index - 1][0] + 1:
            text += "\n" + lines[index][1]
            index += 1
        if kind == "set" and not plain_assignment(text):
            continue  # `NAME=value command ...` runs a command (a server, say): not an example here
        found.append(Example(f"{path.relative_to(ROOT)}:{number}", kind, text))
    return found


ALL = [example for path in DOCS for example in examples(path)]


def test_the_docs_have_examples_and_no_unreachable_hosts() -> None:
    kinds = {e.kind for e in ALL}
    assert kinds == {"curl", "dig", "set"}
    assert len([e for e in ALL if e.kind == "curl"]) >= 20
    for path in DOCS:
        assert "dnsd:8080" not in path.read_text(), path  # the demo is on 127.0.0.1


class Session:
    """A shell session's variables between examples, and the demo's real ports."""

    def __init__(self, api: str, dns_port: int, body: Path) -> None:
        self.api, self.dns_port, self.body = api, dns_port, body
        self.env = {**os.environ, "DNSD_URL": f"http://{api}", "DNSD_API_TOKEN": "demo", "TOKEN": "demo"}

    def bash(self, script: str) -> subprocess.CompletedProcess[str]:
        script = script.replace(DEMO_API, self.api)
        return subprocess.run(["bash", "-c", f"set -eo pipefail\n{script}"], env=self.env,
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip

    def run(self, example: Example) -> None:
        where = f"{example.source}: {example.text}"
        if example.kind == "set":
            name = ASSIGNMENT.match(example.text).group(1)  # type: ignore[union-attr]
            done = self.bash(f'{example.text}\nprintf %s "${name}"')
            assert done.returncode == 0, f"{where}\n{done.stderr}"
            self.env[name] = done.stdout
        elif example.kind == "dig":
            self.dig(example, where)
        elif "|" in shlex.split(example.text, comments=True) or " | " in example.text:
            assert " -f" in example.text, f"{where}: a piped curl needs -f to fail on an error status"
            done = self.bash(example.text)
            assert done.returncode == 0 and done.stdout, f"{where}\n{done.stderr}"
        else:
            status_of = f"curl -sS -o {self.body} -w '%{{http_code}}' "
            done = self.bash(status_of + example.text.removeprefix("curl "))
            answer = self.body.read_text() if self.body.exists() else ""
            assert done.returncode == 0, f"{where}\n{done.stderr}"
            assert done.stdout.startswith("2"), f"{where}\n-> {done.stdout} {answer}"

    def dig(self, example: Example, where: str) -> None:
        words = shlex.split(example.text, comments=True)
        server = next(w for w in words if w.startswith("@"))
        assert server in ("@localhost", "@127.0.0.1", "@::1"), f"{where}: not the demo's address"
        if "-p" in words:
            del words[words.index("-p") : words.index("-p") + 2]
        words = [w for w in words if w != server]
        argv = [*words, "@127.0.0.1", "-p", str(self.dns_port), "+time=2", "+tries=1", "+noall", "+answer"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0 and done.stdout.strip(), f"{where}\n{done.stdout}{done.stderr}"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Session]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DNSD_AUTH_DISABLED": "1",
           "DNSD_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "dnsd", "demo", "--serve", "--dns-port", "0", "--api-port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    said = ""
    for line in proc.stdout:
        said += line
        if line.startswith("Ctrl-C"):
            break
    ready = re.search(r"DNS on .* port (\d+) .*API on http://(127\.0\.0\.1:\d+)", said)
    assert ready, said
    yield Session(ready.group(2), int(ready.group(1)), tmp_path / "body")
    proc.terminate()
    proc.wait(30)
    proc.stdout.close()


def test_every_example_runs_against_the_demo(demo: Session) -> None:
    for example in ALL:
        demo.run(example)
