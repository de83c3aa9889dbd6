"""Atomic file writes: write to a temporary name beside the target, then rename over it.

A killed process leaves either the old file or the new one, never a truncated one.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp makes files private (0600); a finished output gets the permissions any new file would.
_FILE_MODE = 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yields a temporary path in the target's folder; renames it onto `target` if the block succeeds."""
    tmp = temporary_for(target)
    try:
        yield tmp
        commit(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def temporary_for(target: str | os.PathLike) -> Path:
    """A new empty temporary file beside `target` (for writers that outlive one block: see `commit`)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # The stem shortened (a temporary name must fit where the target name just fits); the pid in the name lets a
        # later run remove what a killed one left (`stale_temporaries`).
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem[:32]}.{TMP_MARK}{os.getpid()}-", suffix=f"{target.suffix[:16]}.tmp", dir=target.parent)
    except OSError as exc:  # named by the file the user asked for, not our temporary name
        raise type(exc)(exc.errno, exc.strerror, str(target)) from None
    os.close(fd)
    return Path(tmp)


def commit(tmp: Path, target: str | os.PathLike) -> None:
    """Give a finished temporary file a new file's permissions and rename it onto `target`."""
    os.chmod(tmp, _FILE_MODE)
    os.replace(tmp, target)


TMP_MARK = "gtmp-"
_TMP_PID = re.compile(rf"\.{TMP_MARK}(\d+)-[^/]*\.tmp$")


def stale_temporaries(folder: Path) -> list[Path]:
    """Temporary files under `folder` left by processes of this machine that no longer run (killed mid-write)."""
    stale = []
    for path in folder.rglob(f".*{TMP_MARK}*.tmp"):
        match = _TMP_PID.search(path.name)
        if match and not process_running(int(match.group(1))):
            stale.append(path)
    return stale


def process_running(pid: int) -> bool:
    """Whether a process of this id runs on this machine (under any user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_text(target: str | os.PathLike, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
