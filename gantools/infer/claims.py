"""Two runs into one output folder: each output is claimed before it is made, so it is written once.

A claim is `.NAME.claim` beside the output, holding the claimer's pid and host; it appears whole (written under a
temporary name, then hard-linked into place, which fails if it exists), so another run never reads a claim being
written and mistakes it for a dead one. A live run's claim is left alone; a dead run's (killed) is taken over. The
small race of two runs taking over the same dead claim at once is accepted: it needs a killed run and two new ones
at the same instant.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path

from gantools.files.atomic import process_running, stale_temporaries, temporary_for

_WRITING_SECONDS = 10.0  # a claim still unreadable after this was left by a process killed while claiming


class Claimed(Exception):
    """Another run is writing this output (two runs into one folder): this run leaves it alone."""


def claim(target: Path) -> Path | None:
    """Claim `target` for this process (a `.NAME.claim` file holding our pid and host); None when a live process
    holds it. A claim whose process is gone (a killed run) is taken over."""
    path = target.with_name(f".{target.name[:200]}.claim")
    for _ in range(2):
        try:
            _create_whole(path, f"{os.getpid()} {socket.gethostname()}\n")
        except FileExistsError:
            if held_by_a_live_process(path):
                return None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            continue
        return path
    return None


def _create_whole(path: Path, text: str) -> None:
    """Create `path` holding `text`, atomically; FileExistsError if it exists."""
    tmp = temporary_for(path)  # also makes the output tree's folders
    try:
        tmp.write_text(text)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create, then write (a short window)
            with os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644), "w") as f:
                f.write(text)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def held_by_a_live_process(path: Path) -> bool:
    try:
        pid, host = path.read_text().split()
    except FileNotFoundError:
        return False  # released meanwhile
    except ValueError:  # being written (no hard links here), or left half-written by a process killed then
        try:
            return time.time() - path.stat().st_mtime < _WRITING_SECONDS
        except FileNotFoundError:
            return False
    # Another machine's process cannot be checked from here: assume it lives.
    return host != socket.gethostname() or process_running(int(pid))


def remove_leftovers(out_dir: Path) -> None:
    """A killed run's half-written files (never outputs: temporary names) and its claims."""
    for leftover in stale_temporaries(out_dir) + [c for c in out_dir.rglob(".*.claim") if not held_by_a_live_process(c)]:
        with contextlib.suppress(OSError):
            leftover.unlink()
