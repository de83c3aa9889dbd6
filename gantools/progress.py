"""Progress a person can read: a tqdm bar on a terminal; plain lines elsewhere (a log file, CI, nohup), one
every 30 seconds and one at the end, instead of carriage-return redraws that pile into one giant line."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from tqdm.auto import tqdm

EVERY_S = 30.0


def progress(total: int, desc: str, unit: str, initial: int = 0, enabled: bool = True, stream: TextIO | None = None):
    stream = stream or sys.stderr
    if enabled and not _is_terminal(stream):
        return PlainProgress(total, desc, unit, initial, stream)
    return tqdm(total=total, initial=initial, desc=desc, unit=unit, disable=not enabled, dynamic_ncols=True, file=stream)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class PlainProgress:
    """tqdm's update / set_postfix / close, written as whole lines: 'train superres: step 1200/9000 (13%), 1.62
    step/s, ETA 1h20m; loss 1.98'."""

    def __init__(self, total: int, desc: str, unit: str, initial: int, stream: TextIO, every: float = EVERY_S,
                 clock=time.monotonic):
        self.total, self.desc, self.unit, self.n, self.stream, self.every, self.clock = total, desc, unit, initial, stream, every, clock
        self.start_n, self.start = initial, clock()
        self.last = self.start
        self.postfix: dict[str, Any] = {}
        self.closed = False

    def update(self, n: int = 1) -> None:
        self.n += n
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self._line(now)

    def set_postfix(self, values: dict, refresh: bool = False) -> None:
        self.postfix = dict(values)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._line(self.clock(), final=True)

    def _line(self, now: float, final: bool = False) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = (self.n - self.start_n) / elapsed
        share = f" ({100 * self.n / self.total:.0f}%)" if self.total else ""
        eta = f", ETA {_duration((self.total - self.n) / rate)}" if rate > 0 and self.total and not final else ""
        done = f", done in {_duration(elapsed)}" if final else ""
        extra = "; " + ", ".join(f"{k} {v}" for k, v in self.postfix.items()) if self.postfix else ""
        print(f"{self.desc}: {self.n}/{self.total} {self.unit}{share}, {rate:.2f} {self.unit}/s{eta}{done}{extra}",
              file=self.stream, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


def plural(n: int, word: str) -> str:
    """'1 frame', '5 frames': counts in reports read as words."""
    return f"{n} {word}{'' if n == 1 else 's'}"
