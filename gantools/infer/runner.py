"""Folder in, folder out: the runner every inference command shares.

Discovery (a file or a folder, recursive, tree mirrored), decoding and encoding on worker threads around
the model, batches of same-size inputs, atomic writes, skipping finished outputs, and a report of every
failure by file and reason. It knows nothing of GANs: a predictor prepares a decoded image (worker
thread), runs a batch through its model (this thread), and finishes each output (worker thread).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import fnmatch
import json
import os
import threading
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import torch

from gantools.progress import plural, progress
from gantools.files.atomic import write_text
from gantools.infer.claims import Claimed, claim, remove_leftovers
from gantools.infer.heap import trim_heap
from gantools.infer.run_options import RunOptions, require_input
from gantools.defaults import REPORT_NAME
from gantools.errors import UserError
from gantools.files.imageio import IMAGE_EXTENSIONS, Decoded, ImageError, read_image
from gantools.files.imagewrite import EXTENSIONS, check_fits, write
from gantools.files.video import VIDEO_EXTENSIONS, is_video, output_suffix
from gantools.infer.predictor import Job


def report_name(shard: tuple[int, int] | None) -> str:
    """Each shard writes its own report beside the others; `gantools report merge` joins them."""
    return REPORT_NAME if shard is None else f"gantools-report-shard-{shard[0]}-of-{shard[1]}.json"


def in_shard(rel: Path, shard: tuple[int, int] | None) -> bool:
    """A stable partition by the relative path's hash: the same file lands in the same shard on every machine."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha1(rel.as_posix().encode("utf-8", "surrogateescape")).hexdigest(), 16) % n == k - 1
WRITE_BUFFER_BYTES = 1 << 30  # model outputs waiting to be finished and written


class ImagePredictor(Protocol):
    batchable: bool  # False: give it one image at a time (it makes its own batches, e.g. of tiles)

    def prepare(self, decoded: Decoded) -> Job: ...

    def forward(self, inputs: torch.Tensor) -> torch.Tensor: ...

    def finish(self, job: Job, output: torch.Tensor) -> Decoded: ...


@dataclass
class Report:
    done: int = 0
    skipped: int = 0
    videos: int = 0  # of `done`, how many were videos
    frames: int = 0  # video frames written
    failed: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    model_seconds: float = 0.0
    batches: int = 0
    # Time spent in each stage, summed over worker threads (they overlap the model and each other).
    stage_seconds: dict = field(default_factory=dict)
    # Why the batch stopped before its end (the output folder's disk full or read-only), else None.
    stopped: str | None = None
    shard: str | None = None  # "K/N" when this run took one part of the inputs

    @property
    def images_per_s(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        videos = f" ({plural(self.videos, 'video')}, {plural(self.frames, 'frame')})" if self.videos else ""
        rate = f"{self.images_per_s:.2f} images/s, model {self.model_seconds:.1f} s" if self.done > self.videos else f"{self.frames / max(self.seconds, 1e-9):.2f} frames/s"
        return (f"done {self.done}{videos}, skipped {self.skipped} (already there, or another run's), failed {len(self.failed)}; "
                f"{rate} of {self.seconds:.1f} s")


def discover(src: Path, out_dir: Path, pattern: str | None) -> list[tuple[Path, Path]]:
    """(input file, path relative to the output folder) for every image or video under `src`, outputs excluded. Linked
    folders are not entered (no loops); a linked file is listed, and refused when run (see `outside_tree`)."""
    require_input(src)
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
            if name.startswith(".") or path.suffix.lower() not in IMAGE_EXTENSIONS + VIDEO_EXTENSIONS:
                continue
            rel = path.relative_to(src)
            if pattern and not (fnmatch.fnmatch(rel.as_posix(), pattern) or fnmatch.fnmatch(name, pattern)):
                continue
            found.append((path, rel))
    return found


WRITTEN = {*EXTENSIONS.values(), ".jpeg", ".tiff"}  # the suffixes an output keeps as they are


def other_kinds(src: Path) -> str:
    """When a folder holds no image gantools reads: which kinds of file it does hold, so the user knows why."""
    if not src.is_dir():
        return ""
    kinds = Counter(p.suffix.lower() or "(no suffix)" for p in src.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not kinds:
        return " (the folder is empty)"
    shown = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common(4))
    return f" (it holds {shown}{', ...' if len(kinds) > 4 else ''}; read: {', '.join(e.lstrip('.') for e in IMAGE_EXTENSIONS + VIDEO_EXTENSIONS)})"


def output_for(rel: Path, out_dir: Path, opts: RunOptions, video: bool = False) -> Path:
    if video:  # a video keeps its container (--ext is for images)
        return out_dir / rel.with_name(f"{rel.stem}{opts.suffix}{output_suffix(rel)}")
    suffix = rel.suffix if opts.ext == "same" else EXTENSIONS[opts.ext]
    if suffix.lower() not in WRITTEN:  # read, never written: photos (HEIC, AVIF, JPEG XL) become JPEG, the rest (GIF) PNG
        suffix = ".jpg" if suffix.lower() in (".heic", ".heif", ".avif", ".jxl") else ".png"
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
        raise UserError(f"no images found in '{src}'" + (f" matching '{opts.glob}'" if opts.glob else other_kinds(src)))
    items = [(path, rel) for path, rel in items if in_shard(rel, opts.shard)]
    check_output_folder(out_dir)
    remove_leftovers(out_dir)
    inputs = {p.resolve() for p, _ in items}
    report = Report(shard=None if opts.shard is None else f"{opts.shard[0]}/{opts.shard[1]}")
    todo, videos = [], []
    first_for: dict[Path, Path] = {}  # output -> the input that makes it (a.jpg and a.png both make a.png)
    for path, rel in items:
        video = is_video(path)
        target = output_for(rel, out_dir, opts, video)
        if first_for.setdefault(target, path) != path:
            report.failed.append({"file": str(path), "reason": f"its output '{target.name}' is also made from "
                                  f"'{first_for[target].name}'; give one of them another name"})
            continue
        if outside_tree(path, src):
            report.failed.append({"file": str(path), "reason": f"a symbolic link out of the input folder (to {path.resolve()}): not followed"})
            continue
        try:
            target.exists()  # a name the file system refuses (too long, ...) fails here, for this file alone
        except OSError as exc:
            report.failed.append({"file": str(path), "reason": f"its output name cannot be used: {exc.strerror or exc}"})
            continue
        if target.resolve() in inputs:
            report.failed.append({"file": str(path), "reason": "output would overwrite an input; use another output folder or --suffix"})
        elif target.exists() and not opts.overwrite:
            report.skipped += 1
        else:
            (videos if video else todo).append((path, target))

    start = time.perf_counter()
    if todo:
        _Pipeline(predictor, opts, report).run(todo)
    if videos and not report.stopped:
        _run_videos(predictor, videos, opts, report)
    report.seconds = time.perf_counter() - start
    return report


def _run_videos(predictor: ImagePredictor, videos: list[tuple[Path, Path]], opts: RunOptions, report: Report) -> None:
    """Videos one after another, each streamed in frame batches (video_runner); claimed, reported like images."""
    from gantools.infer.video_runner import run_video

    for path, target in videos:
        held = claim(target)
        if held is None or (target.exists() and not opts.overwrite):  # another run has it, or finished it
            report.skipped += 1
            if held is not None:
                held.unlink(missing_ok=True)
            continue
        try:
            frames, notes = run_video(predictor, path, target, opts)
        except Exception as exc:  # noqa: BLE001 - a broken video is this file's failure; the batch goes on
            report.failed.append({"file": str(path), "reason": _reason(exc)})
            if isinstance(exc, OSError) and exc.errno in STOP_ERRNOS:
                report.stopped = f"cannot write '{target}': {exc.strerror}; the batch stops (no later output could be written)"
                return
            continue
        finally:
            held.unlink(missing_ok=True)
        report.done += 1
        report.videos += 1
        report.frames += frames
        report.notes.append({"file": str(path), "notes": notes})


def outside_tree(path: Path, src: Path) -> bool:
    """A symbolic link that leads out of the input folder: never followed (a folder of links is the user's own
    to resolve, e.g. with `cp -L`)."""
    if not path.is_symlink() or src.is_file():
        return False
    return not path.resolve().is_relative_to(src.resolve())


# Errors after which no later output can be written either: the batch stops instead of failing file after file.
STOP_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


class StopBatch(Exception):
    pass


class _Pipeline:
    """Decode+prepare on worker threads, in order; batch same-shape inputs; finish+encode on worker threads."""

    def __init__(self, predictor: ImagePredictor, opts: RunOptions, report: Report):
        self.predictor, self.opts, self.report = predictor, opts, report
        self.workers, self.batch_size = max(1, opts.workers), max(1, opts.batch_size)
        # A predictor that cuts each image into its own batches (tiles) takes images one at a time.
        self.batch_limit = self.batch_size if predictor.batchable else 1
        self.lock = threading.Lock()
        self.stages: dict[str, float] = defaultdict(float)

    def _timed(self, stage: str, fn, *args):
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            with self.lock:
                self.stages[stage] += time.perf_counter() - t0

    def _load(self, path: Path, target: Path) -> Job:
        held = claim(target)
        if held is None:
            raise Claimed(target)
        with self.lock:
            self.claims[target] = held
        if target.exists() and not self.opts.overwrite:  # another run finished it after this one listed it
            raise Claimed(target)
        decoded = self._timed("decode", read_image, path, self.opts.max_pixels)
        k = getattr(self.predictor, "output_scale", 1)  # a recipe file's predictor may not say: same size
        check_fits(target.suffix, decoded.pixels.shape[0] * k, decoded.pixels.shape[1] * k)  # before the model's time is spent
        return self._timed("prepare", self.predictor.prepare, decoded)

    def _save(self, job: Job, output: torch.Tensor, target: Path) -> list[str]:
        image = self._timed("finish", self.predictor.finish, job, output)
        return list(image.notes) + self._timed("encode", write, image, target, self.opts.quality)

    def _release(self, target: Path) -> None:
        """Drop this run's claim on one output as soon as it is written or failed (a 10,000-image batch would
        otherwise keep 10,000 claim files until its end)."""
        with self.lock:
            held = self.claims.pop(target, None)
        if held is not None:
            with contextlib.suppress(OSError):
                held.unlink()

    def _collect_next(self) -> None:
        path, future, target, _ = self.writes.popleft()
        try:
            _collect(path, future, target, self.report)
        finally:
            self._release(target)

    def run(self, todo: list[tuple[Path, Path]]) -> None:
        start = time.perf_counter()
        self.claims: dict[Path, Path] = {}
        try:
            self._run(todo)
        except StopBatch as stop:
            self.report.stopped = str(stop)
            self.bar.close()
        finally:
            for target in list(self.claims):  # a stopped batch: what is still claimed is dropped
                self._release(target)
        self.report.seconds = time.perf_counter() - start
        self.report.stage_seconds = {k: round(v, 3) for k, v in self.stages.items()} | {"model": round(self.report.model_seconds, 3)}

    def _run(self, todo: list[tuple[Path, Path]]) -> None:
        report = self.report
        in_flight = 2 * self.workers + self.batch_limit  # decoded images held at once: bounded memory
        with ThreadPoolExecutor(self.workers) as decoders, ThreadPoolExecutor(self.workers) as encoders:
            self.encoders = encoders
            pending: deque[tuple[Path, Path, Future]] = deque()
            self.writes: deque[tuple[Path, Future, Path, int]] = deque()
            queue = iter(todo)
            for path, target in _take(queue, in_flight):
                pending.append((path, target, decoders.submit(self._load, path, target)))
            self.bar = progress(len(todo), "images", "img", enabled=self.opts.progress)
            group: list[tuple[Path, Path, Job]] = []
            while pending:
                path, target, future = pending.popleft()
                for nxt in _take(queue, 1):  # keep decoders busy while the model works
                    pending.append((nxt[0], nxt[1], decoders.submit(self._load, nxt[0], nxt[1])))
                try:
                    job = future.result()
                except Claimed:
                    report.skipped += 1
                    self.bar.update(1)
                    self._release(target)  # ours only if another run finished it after we claimed it
                    continue
                except Exception as exc:  # noqa: BLE001 - any failure of one file is reported, the batch goes on
                    report.failed.append({"file": str(path), "reason": _reason(exc)})
                    self.bar.update(1)
                    self._release(target)
                    continue
                if group and (len(group) == self.batch_limit or group[0][2].input.shape != job.input.shape):
                    self._forward(group)
                    group = []
                group.append((path, target, job))
            if group:
                self._forward(group)
            self.bar.close()
            while self.writes:
                self._collect_next()

    def _forward(self, group: list[tuple[Path, Path, Job]]) -> None:
        t0 = time.perf_counter()
        try:
            inputs = group[0][2].input[None] if len(group) == 1 else torch.stack([job.input for _, _, job in group])
            outputs = self.predictor.forward(inputs)
        except (RuntimeError, ValueError) as exc:  # e.g. out of memory: retry one by one, then report
            if len(group) > 1:
                for item in group:
                    self._forward([item])
                return
            self.report.failed.append({"file": str(group[0][0]), "reason": _reason(exc)})
            self.bar.update(1)
            self._release(group[0][1])
            return
        finally:
            self.report.model_seconds += time.perf_counter() - t0
        self.report.batches += 1
        for (path, target, job), output in zip(group, outputs):
            self.writes.append((path, self.encoders.submit(self._save, job, output, target), target, _nbytes(output)))
            self.bar.update(1)
        # Bound the finished images held in memory, by count and by size (a x4 upscale of 12 MP is 576 MB).
        while len(self.writes) > 2 * self.workers + self.batch_limit or (
                len(self.writes) > 1 and sum(w[3] for w in self.writes) > WRITE_BUFFER_BYTES):
            self._collect_next()
        trim_heap()  # freed buffers of many sizes otherwise keep a long batch's memory creeping up


def _nbytes(output) -> int:
    return int(output.nbytes) if hasattr(output, "nbytes") else int(output.numel() * output.element_size())


def _reason(exc: Exception) -> str:
    if isinstance(exc, ImageError):
        return str(exc)
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"


def _collect(path: Path, future: Future, target: Path, report: Report) -> None:
    """Wait for one output's write and count it as done, or as failed with the reason; a full or read-only disk
    stops the batch (StopBatch)."""
    try:
        notes = future.result()
    except Exception as exc:  # noqa: BLE001 - a failed conversion or write is this file's failure only
        report.failed.append({"file": str(path), "reason": f"could not write output: {_reason(exc)}"})
        if isinstance(exc, OSError) and exc.errno in STOP_ERRNOS:
            raise StopBatch(f"cannot write '{target}': {exc.strerror}; the batch stops (no later output could be written)") from None
        return
    report.done += 1
    if notes:
        report.notes.append({"file": str(path), "notes": notes})


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


