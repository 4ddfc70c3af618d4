"""Processes the benchmarks run: dnsd serve-dns, the HTTP API, NSD; each pinned with taskset."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

API_RUNNER = """
import socket, uvicorn
from api.app import create_app
from dnsd.config import Settings
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen(128)
print("API port", sock.getsockname()[1], flush=True)
uvicorn.Server(uvicorn.Config(create_app(Settings()), log_level="warning")).run(sockets=[sock])
"""


def pinned(core: int | str | None, argv: list[str]) -> list[str]:
    """``argv`` under ``taskset -c CORE`` (a core number, or a list such as ``"0,1"``)."""
    return ["taskset", "-c", str(core), *argv] if core is not None and shutil.which("taskset") else argv


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def announced(proc: subprocess.Popen[str], pattern: str, timeout: float = 300.0) -> int:
    """The number ``proc`` prints on a stdout line matching ``pattern``."""
    return announced_all(proc, pattern, timeout=timeout)[0]


def announced_all(proc: subprocess.Popen[str], *patterns: str, timeout: float = 300.0) -> list[int]:
    """For each pattern, the number ``proc`` prints on a stdout line matching it (in any order).

    Lines are read in a thread: a selector on the pipe would miss a second line already sitting
    in the text wrapper's buffer, and wait for ever.
    """
    assert proc.stdout is not None
    stdout = proc.stdout
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in iter(stdout.readline, ""):
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    found: dict[str, int] = {}
    deadline = time.monotonic() + timeout
    while len(found) < len(patterns) and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if not line:
            break
        for pattern in patterns:
            match = re.search(pattern, line)
            if match and pattern not in found:
                found[pattern] = int(match.group(1))
    if len(found) < len(patterns):
        stop(proc)
        raise RuntimeError(f"{' '.join(map(str, proc.args))} did not start")
    return [found[p] for p in patterns]


BATCH_RUNNER = (
    "import sys, dnsd.server.mmsg as m; m.BATCH = int(sys.argv.pop(1)); "
    "from dnsd.cli.main import main; sys.exit(main())"
)
"""``python -c BATCH_RUNNER N ARGS``: ``dnsd ARGS`` with N datagrams per ``recvmmsg`` (one process)."""


def spawn_dnsd(
    db_url: str, core: int | str | None, *, tree: Path = ROOT, batch: int | None = None, **settings: str
) -> subprocess.Popen[str]:
    """``dnsd serve-dns`` on 127.0.0.1, any port; ``settings`` become ``DNSD_<NAME>`` variables.
    ``tree``: the checkout to run (same interpreter); ``batch``: datagrams per ``recvmmsg``."""
    program = ["-m", "dnsd"] if batch is None else ["-c", BATCH_RUNNER, str(batch)]
    argv = [
        sys.executable,
        *program,
        "--database-url",
        db_url,
        "serve-dns",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]
    extra = {f"DNSD_{k.upper()}": v for k, v in settings.items()}
    return subprocess.Popen(
        pinned(core, argv),
        cwd=tree,
        env={**env(**extra), "PYTHONPATH": str(tree)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def start_dnsd(
    db_url: str, core: int | str | None, *, tree: Path = ROOT, batch: int | None = None, **settings: str
) -> tuple[subprocess.Popen[str], int]:
    proc = spawn_dnsd(db_url, core, tree=tree, batch=batch, **settings)
    return proc, announced(proc, r"serving DNS on \S+ port (\d+)")


def start_api(db_url: str, core: int | None = None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        pinned(core, [sys.executable, "-c", API_RUNNER]), cwd=ROOT, env=env(DNSD_DATABASE_URL=db_url),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    port = announced(proc, r"API port (\d+)")
    return proc, f"http://127.0.0.1:{port}"


def free_port() -> int:
    """A port free for UDP and TCP right now (NSD needs a fixed one in its config)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port: int = udp.getsockname()[1]
            with socket.socket() as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


NSD_CONF = """server:
  ip-address: 127.0.0.1@{port}
  server-count: {servers}
  reuseport: {reuseport}
  username: ""
  chroot: ""
  zonesdir: "{dir}"
  database: ""
  pidfile: "{dir}/nsd-{port}.pid"
  xfrdfile: "{dir}/xfrd-{port}.state"
  zonelistfile: "{dir}/zone-{port}.list"
  rrl-ratelimit: 0
{answers}  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: {zone}
  zonefile: {zone}.zone
"""


MINIMAL = "  minimal-responses: yes\n  refuse-any: yes\n"
"""NSD configured to send what dnsd sends: no apex NS in the authority section or glue in the
additional section of positive answers. ``refuse-any`` makes NSD answer ANY over UDP with TC=1
(dnsd gives one RRset, RFC 8482): not the same, but the benchmark's mix has no ANY query."""


def start_nsd(
    workdir: Path,
    zone: str,
    zone_text: str,
    core: int | str | None,
    *,
    minimal: bool = False,
    servers: int = 1,
) -> tuple[subprocess.Popen[str], int]:
    """NSD serving ``zone`` on a port of its own (``nsd -d -c conf``), as root in ``workdir``:
    RRL off, ``minimal``: :data:`MINIMAL`, ``servers``: processes (SO_REUSEPORT when > 1)."""
    port = free_port()
    (workdir / f"{zone}.zone").write_text(zone_text)
    conf = workdir / f"nsd-{port}.conf"
    conf.write_text(NSD_CONF.format(
        port=port, dir=workdir, zone=zone, servers=servers, reuseport="yes" if servers > 1 else "no",
        answers=MINIMAL if minimal else "",
    ))  # fmt: skip
    proc = subprocess.Popen(
        pinned(core, ["nsd", "-d", "-c", str(conf)]), cwd=workdir, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        out = subprocess.run(
            ["dig", "@127.0.0.1", "-p", str(port), f"ns1.{zone}", "+short", "+time=1", "+tries=1"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if out.stdout.strip():
            return proc, port
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError("NSD did not start")


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` and their children (Linux /proc)."""
    return sum(cpu_split(pids))


def cpu_split(pids: list[int]) -> tuple[float, float]:
    """(user, system) CPU seconds of ``pids`` and their waited-for children (Linux /proc)."""
    user = system = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user += (int(fields[11]) + int(fields[13])) / tick
        system += (int(fields[12]) + int(fields[14])) / tick
    return user, system


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out = [pid]
    for child in (
        Path(f"/proc/{pid}/task/{pid}/children").read_text().split() if Path(f"/proc/{pid}").exists() else []
    ):
        out += process_tree(int(child))
    return out
