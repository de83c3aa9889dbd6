"""Where a server keeps uploads and results: one private temporary folder, server-chosen names only.

Nothing the client sends is ever used as a path: an upload is saved as `<random id>/input<ext>` (the extension
from a fixed list), a result is found by its random id (checked against a pattern), and the client's file name
is only echoed back, cleaned, as the download name. Old results are dropped beyond a count; the folder goes
when the server stops.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from gantools.files.imageio import IMAGE_EXTENSIONS
from gantools.files.video import VIDEO_EXTENSIONS

_ID = re.compile(r"^[0-9a-f]{32}$")
_SAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(name: str, fallback: str = "image") -> str:
    """A client's file name made harmless for a download header (no path, no control characters)."""
    base = _SAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base[:120] or fallback


@dataclass
class Result:
    path: Path
    download_name: str
    media_type: str


class Store:
    def __init__(self, keep: int = 500):
        self.root = Path(tempfile.mkdtemp(prefix="gantools-serve-"))
        self.keep, self.lock = keep, threading.Lock()
        self.results: OrderedDict[str, Result] = OrderedDict()

    def new_job(self, client_name: str) -> tuple[str, Path]:
        """A fresh id and the path its upload is saved at; ValueError when the type is not one gantools reads."""
        ext = Path(client_name or "").suffix.lower()
        if ext not in IMAGE_EXTENSIONS + VIDEO_EXTENSIONS:
            raise ValueError(f"'{safe_name(client_name)}' is not an image or video gantools reads "
                             f"({', '.join(e.lstrip('.') for e in IMAGE_EXTENSIONS + VIDEO_EXTENSIONS)})")
        job = secrets.token_hex(16)
        (self.root / job / "in").mkdir(parents=True)
        return job, self.root / job / "in" / f"input{ext}"

    def folder(self, job: str) -> Path:
        return self.root / job

    def add(self, job: str, result: Result) -> None:
        with self.lock:
            self.results[job] = result
            while len(self.results) > self.keep:
                old, _ = self.results.popitem(last=False)
                shutil.rmtree(self.root / old, ignore_errors=True)

    def get(self, job: str) -> Result | None:
        if not _ID.match(job or ""):
            return None
        with self.lock:
            return self.results.get(job)

    def drop(self, job: str) -> None:
        shutil.rmtree(self.root / job, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
