"""Two runs into one output folder: each output is claimed before it is made, so it is written once.

A claim is `.NAME.claim` beside the output, made with O_EXCL and holding the claimer's pid and host. A live
run's claim is left alone; a dead run's (killed) is taken over. The small race of two runs taking over the same
dead claim at once is accepted: it needs a killed run and two new ones at the same instant.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

from gantools.files.atomic import process_running, stale_temporaries


class Claimed(Exception):
    """Another run is writing this output (two runs into one folder): this run leaves it alone."""


def claim(target: Path) -> Path | None:
    """Claim `target` for this process (a `.NAME.claim` file made with O_EXCL, holding our pid and host); None when
    a live process holds it. A claim whose process is gone (a killed run) is taken over."""
    path = target.with_name(f".{target.name[:200]}.claim")
    path.parent.mkdir(parents=True, exist_ok=True)  # the output tree mirrors the input's folders
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if held_by_a_live_process(path):
                return None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            continue
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()} {socket.gethostname()}\n")
        return path
    return None


def held_by_a_live_process(path: Path) -> bool:
    try:
        pid, host = path.read_text().split()
    except (FileNotFoundError, ValueError):
        return False  # gone meanwhile, or half-written by a process killed while claiming
    # Another machine's process cannot be checked from here: assume it lives.
    return host != socket.gethostname() or process_running(int(pid))


def remove_leftovers(out_dir: Path) -> None:
    """A killed run's half-written files (never outputs: temporary names) and its claims."""
    for leftover in stale_temporaries(out_dir) + [c for c in out_dir.rglob(".*.claim") if not held_by_a_live_process(c)]:
        with contextlib.suppress(OSError):
            leftover.unlink()
