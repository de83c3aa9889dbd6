"""One video through a predictor: frames stream in batches, in order, into a new video with the input's timing and audio.

Memory is bounded by the batch (a reader thread stays at most a few batches ahead), not by the video's length.
A predictor may smooth its outputs over time (`Predictor.video_filter`, e.g. colour that must not flicker).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from gantools.files.imageio import Decoded, to_uint8
from gantools.files.video import Frame, VideoReader, VideoWriter
from gantools.infer.heap import trim_heap
from gantools.progress import plural, progress

_END = object()


def run_video(predictor, path: Path, target: Path, opts) -> tuple[int, list[str]]:
    """Run every frame of `path` through `predictor` into `target`; returns the frames written and the notes for
    the report. Raises
    ImageError for a video that cannot be read or written (the caller reports it by name)."""
    with VideoReader(path, opts.max_pixels) as reader:
        writer = VideoWriter(target, reader, opts.codec, opts.crf)
        ok = False
        try:
            _stream(predictor, reader, writer, opts)
            ok = True
        finally:
            writer.close(ok)
        notes = reader.notes + writer.notes + ([reader.damaged] if reader.damaged else [])
        return writer.frames, [f"video: {plural(writer.frames, 'frame')} at {float(reader.rate):.3g} fps"
                               + (", audio copied" if writer.audio is not None else "")] + notes


def _stream(predictor, reader: VideoReader, writer: VideoWriter, opts) -> None:
    batch_limit = max(1, opts.batch_size) if predictor.batchable else 1
    items: queue.Queue = queue.Queue(maxsize=4 * batch_limit)  # decoded frames waiting: bounded memory
    stop = threading.Event()

    def put(item) -> None:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            reader.audio_sink = lambda packet: put(("audio", packet))  # muxed by this thread's consumer, in order
            for frame in reader.frames():
                put(("frame", frame))
                if stop.is_set():
                    return
            put((_END, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            put(("error", exc))

    smooth = getattr(predictor, "video_filter", lambda: None)()  # Predictor's; other image predictors have none
    bar = progress(reader.declared_frames, path_label(reader.path), "frame", enabled=opts.progress)
    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        with ThreadPoolExecutor(max(1, opts.workers)) as pool:
            chunk: list[Frame] = []
            while True:
                kind, item = items.get()
                if kind == "audio":
                    writer.add_audio(item)
                    continue
                if kind == "error":
                    raise item
                if kind == "frame":
                    chunk.append(item)
                if chunk and (kind is _END or len(chunk) == batch_limit):
                    _forward(predictor, smooth, pool, chunk, writer)
                    bar.update(len(chunk))
                    chunk = []
                if kind is _END:
                    break
    finally:
        stop.set()
        thread.join()
        bar.close()


def _forward(predictor, smooth, pool, chunk: list[Frame], writer: VideoWriter) -> None:
    jobs = list(pool.map(lambda f: predictor.prepare(Decoded(f.rgb)), chunk))
    outputs = predictor.forward(torch.stack([job.input for job in jobs]))
    if smooth is not None:  # in frame order: each frame's output may lean on the ones before it
        outputs = [smooth(job, output) for job, output in zip(jobs, outputs)]
    images = list(pool.map(predictor.finish, jobs, outputs))
    for frame, image in zip(chunk, images):
        writer.write(_rgb8(image), frame.pts, frame.time_base)
    trim_heap()  # a long video: freed frame buffers go back to the system now and then


def _rgb8(image: Decoded) -> np.ndarray:
    pixels = image.pixels if image.pixels.dtype == np.uint8 else to_uint8(image.pixels)
    return np.repeat(pixels[..., None], 3, axis=2) if pixels.ndim == 2 else pixels


def path_label(path: Path) -> str:
    return path.name if len(path.name) <= 40 else path.name[:37] + "..."
