"""Folder in, folder out: the runner every inference command shares.

Discovery (a file or a folder, recursive, tree mirrored), decoding and encoding on worker threads around
the model, atomic writes, skipping finished outputs, and a report of every failure by file and reason.
It knows nothing of GANs: a predictor turns one decoded image into another.
"""

from __future__ import annotations

import fnmatch
import json
import os
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from tqdm.auto import tqdm

from gantools.atomic import write_text
from gantools.errors import UserError
from gantools.imageio import DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS, Decoded, ImageError, read_image
from gantools.imagewrite import EXTENSIONS, write

REPORT_NAME = "gantools-report.json"


class ImagePredictor(Protocol):
    def predict(self, decoded: Decoded) -> Decoded: ...


@dataclass
class RunOptions:
    glob: str | None = None
    suffix: str = ""
    ext: str = "same"
    quality: int = 95
    overwrite: bool = False
    workers: int = 2
    max_pixels: int = DEFAULT_MAX_PIXELS
    progress: bool = True


@dataclass
class Report:
    done: int = 0
    skipped: int = 0
    failed: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    model_seconds: float = 0.0

    @property
    def images_per_s(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (f"done {self.done}, skipped {self.skipped} (already there), failed {len(self.failed)}; "
                f"{self.images_per_s:.2f} images/s, model {self.model_seconds:.1f} s of {self.seconds:.1f} s")


def discover(src: Path, out_dir: Path, pattern: str | None) -> list[tuple[Path, Path]]:
    """(input file, path relative to the output folder) for every image under `src`, outputs excluded."""
    if not src.exists():
        raise UserError(f"input '{src}' does not exist")
    if src.is_file():
        return [(src, Path(src.name))]
    out_resolved = out_dir.resolve()
    found = []
    for root, dirs, files in os.walk(src):
        root_path = Path(root)
        # Never read our own outputs back when the output folder sits inside the input folder.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (root_path / d).resolve() != out_resolved)
        for name in sorted(files):
            path = root_path / name
            if name.startswith(".") or path.suffix.lower() not in IMAGE_EXTENSIONS:
                continue
            rel = path.relative_to(src)
            if pattern and not (fnmatch.fnmatch(rel.as_posix(), pattern) or fnmatch.fnmatch(name, pattern)):
                continue
            found.append((path, rel))
    return found


def output_for(rel: Path, out_dir: Path, opts: RunOptions) -> Path:
    suffix = rel.suffix if opts.ext == "same" else EXTENSIONS[opts.ext]
    if suffix.lower() == ".gif":
        suffix = ".png"  # GIF is read (first frame), never written
    return out_dir / rel.with_name(f"{rel.stem}{opts.suffix}{suffix}")


def check_output_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"output '{out_dir}' exists and is not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".gantools-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UserError(f"cannot write to output folder '{out_dir}': {exc.strerror or exc}") from None


def run(predictor: ImagePredictor, src: str | Path, out_dir: str | Path, opts: RunOptions) -> Report:
    src, out_dir = Path(src), Path(out_dir)
    if opts.ext != "same" and opts.ext not in EXTENSIONS:
        raise UserError(f"--ext must be same or one of {', '.join(sorted(set(EXTENSIONS)))}")
    items = discover(src, out_dir, opts.glob)
    if not items:
        raise UserError(f"no images found in '{src}'" + (f" matching '{opts.glob}'" if opts.glob else ""))
    check_output_folder(out_dir)
    inputs = {p.resolve() for p, _ in items}
    report = Report()
    todo = []
    for path, rel in items:
        target = output_for(rel, out_dir, opts)
        if target.resolve() in inputs:
            report.failed.append({"file": str(path), "reason": "output would overwrite an input; use another output folder or --suffix"})
        elif target.exists() and not opts.overwrite:
            report.skipped += 1
        else:
            todo.append((path, target))

    start = time.perf_counter()
    read = lambda p: read_image(p, opts.max_pixels)  # noqa: E731
    with ThreadPoolExecutor(max(1, opts.workers)) as decoders, ThreadPoolExecutor(max(1, opts.workers)) as encoders:
        pending: deque[tuple[Path, Path, Future]] = deque()
        writes: deque[tuple[Path, Future]] = deque()
        queue = iter(todo)
        for path, target in _take(queue, 2 * max(1, opts.workers)):
            pending.append((path, target, decoders.submit(read, path)))
        bar = tqdm(total=len(todo), disable=not opts.progress, unit="img", dynamic_ncols=True)
        while pending:
            path, target, future = pending.popleft()
            for nxt in _take(queue, 1):  # keep decoders busy while the model works
                pending.append((nxt[0], nxt[1], decoders.submit(read, nxt[0])))
            try:
                decoded = future.result()
                t0 = time.perf_counter()
                result = predictor.predict(decoded)
                report.model_seconds += time.perf_counter() - t0
                writes.append((path, encoders.submit(_write, result, target, opts.quality)))
                while len(writes) > 2 * max(1, opts.workers):  # bound the finished images held in memory
                    _collect(*writes.popleft(), report)
            except ImageError as exc:
                report.failed.append({"file": str(path), "reason": str(exc)})
            except (RuntimeError, ValueError) as exc:  # e.g. out of memory on a huge image: report, go on
                report.failed.append({"file": str(path), "reason": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"})
            bar.update(1)
        bar.close()
        while writes:
            _collect(*writes.popleft(), report)
    report.seconds = time.perf_counter() - start
    return report


def _collect(path: Path, future: Future, report: Report) -> None:
    """Wait for one output's write and count it as done, or as failed with the reason."""
    try:
        notes = future.result()
    except (OSError, ValueError) as exc:
        report.failed.append({"file": str(path), "reason": f"could not write output: {exc}"})
        return
    report.done += 1
    if notes:
        report.notes.append({"file": str(path), "notes": notes})


def _write(image: Decoded, target: Path, quality: int) -> list[str]:
    return list(image.notes) + write(image, target, quality)


def _take(iterator, n: int):
    out = []
    for _ in range(n):
        try:
            out.append(next(iterator))
        except StopIteration:
            break
    return out


def save_report(report: Report, path: Path) -> None:
    data = asdict(report)
    data["images_per_s"] = round(report.images_per_s, 3)
    write_text(path, json.dumps(data, indent=2) + "\n")


