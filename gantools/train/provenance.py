"""Which image files a run trained on, by content digest, so a later report can prove its held-out
images were never seen (a reused --model otherwise cannot be checked).

The run folder keeps `training-data.sha256` in `sha256sum` format; a resumed run adds the files of each
sitting, so the list covers everything the generator has seen (both sides of paired data).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

from gantools.files.atomic import write_text
from gantools.data.pairs import PairListing
from gantools.files.weights import WEIGHTS_NAME

NAME = "training-data.sha256"


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def digest_or_none(path: Path) -> str | None:
    """None for a file that cannot be read (it is reported by name where it is decoded)."""
    try:
        return digest(path)
    except OSError:
        return None


def _read(file: Path) -> dict[str, str]:
    rows = {}
    for line in file.read_text(encoding="utf-8").splitlines():
        value, _, name = line.partition("  ")
        if len(value) == 64:
            rows[value] = name
    return rows


def record(run_dir: Path, groups: Iterable[tuple[Path, Iterable[Path]]]) -> None:
    """Adds each group's files (named relative to its root) to the run's list, in one write."""
    file = Path(run_dir) / NAME
    rows = _read(file) if file.is_file() else {}
    for root, files in groups:
        for f in files:
            value = digest_or_none(f)
            if value is not None:
                # One UTF-8 line per file, whatever bytes or newlines its name holds.
                name = str(Path(f).relative_to(root)).encode("utf-8", "backslashreplace").decode("utf-8")
                rows.setdefault(value, name.replace("\n", " "))
    write_text(file, "".join(f"{d}  {name}\n" for d, name in rows.items()))


def record_listing(run_dir: Path, listing) -> None:
    """A folder listing's files, both sides of a paired one (A drawings and B photos), or each of a listing's
    `parts()` (root, files) (e.g. two unpaired domains)."""
    if isinstance(listing, PairListing):
        record(run_dir, [(listing.a_root, [a for a, _ in listing.pairs]), (listing.b_root, [b for _, b in listing.pairs])])
    elif hasattr(listing, "parts"):
        record(run_dir, listing.parts())
    else:
        record(run_dir, [(listing.root, listing.files)])


def seen_by(weights_path: Path) -> set[str] | None:
    """Digests of every image the model beside this list trained on; None when there is no list (e.g. bundled weights)."""
    file = Path(weights_path).parent / NAME
    if Path(weights_path).name != WEIGHTS_NAME or not file.is_file():
        return None
    return set(_read(file))
