"""Video files in and out through PyAV (real FFmpeg): frames stream, timing and audio are kept.

A reader yields RGB frames with their timestamps and hands every audio packet to the writer untouched; the
writer encodes frames (H.264 by default) at the input's timestamps, copies the audio packets into the new
file, and renames it into place when complete. A file cut off mid-way keeps the frames before the damage.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from gantools.defaults import DEFAULT_CRF
from gantools.files.atomic import commit, temporary_for
from gantools.files.imageio import ImageError

VIDEO_EXTENSIONS = (".mp4", ".mov", ".mkv", ".webm", ".avi")
# WebM holds only VP8/VP9/AV1; every other container here takes H.264.
DEFAULT_CODEC = {".webm": "libvpx-vp9"}
CRF_CODECS = ("libx264", "libx265", "libvpx-vp9", "libsvtav1", "libaom-av1")


def _av():
    try:
        import av
    except ImportError:  # pragma: no cover - av is a core dependency; a broken install says so per file
        raise ImageError("video needs PyAV: pip install av") from None
    return av


def is_video(path: Path) -> bool:
    """A video container by its extension, or a GIF with more than one frame (animated GIFs run as videos)."""
    suffix = path.suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return True
    if suffix != ".gif":
        return False
    from PIL import Image

    try:
        with Image.open(path) as im:
            return bool(getattr(im, "is_animated", False))
    except Exception:  # noqa: BLE001 - an unreadable GIF goes the image way and is reported there
        return False


def output_suffix(path: Path) -> str:
    """An animated GIF comes out as MP4: 256 colours a frame would undo what the model added."""
    return ".mp4" if path.suffix.lower() == ".gif" else path.suffix.lower()


@dataclass
class Frame:
    rgb: np.ndarray  # HWC uint8
    pts: int | None
    time_base: Fraction | None


@dataclass
class VideoReader:
    """Opens `path` for reading; iterate `frames()`; audio packets go to `audio_sink` as they are read."""

    path: Path
    max_pixels: int
    audio_sink: object = None  # a callable taking each audio packet
    notes: list[str] = field(default_factory=list)
    damaged: str | None = None  # why decoding stopped before the end, if it did
    rotated: bool = False

    def __enter__(self) -> "VideoReader":
        av = _av()
        if self.path.stat().st_size == 0:
            raise ImageError("empty file (0 bytes)")
        try:
            self.container = av.open(str(self.path), "r")
        except av.error.FFmpegError as exc:
            raise ImageError(f"not a readable video: {_why(exc)}") from None
        if not self.container.streams.video:
            self.container.close()
            raise ImageError("no video stream in the file")
        self.video = self.container.streams.video[0]
        self.video.thread_type = "AUTO"
        w, h = self.video.codec_context.width, self.video.codec_context.height
        if w * h > self.max_pixels:
            self.container.close()
            raise ImageError(f"video frames are {w}x{h} = {w * h} pixels, over the limit of {self.max_pixels}")
        audio = self.container.streams.audio
        self.audio = audio[0] if audio else None
        if len(audio) > 1:
            self.notes.append(f"{len(audio)} audio streams: the first is kept")
        if any(s.type not in ("video", "audio") for s in self.container.streams):
            self.notes.append("subtitle/data streams are not copied")
        return self

    def __exit__(self, *exc) -> None:
        self.container.close()

    @property
    def rate(self) -> Fraction:
        """Frames per second (the stream's average, else its guess, else 25)."""
        return Fraction(self.video.average_rate or self.video.guessed_rate or 25)

    @property
    def declared_frames(self) -> int:
        """The container's frame count, or 0 when it does not say."""
        return int(self.video.frames or 0)

    def _upright(self, frame) -> np.ndarray:
        """The frame as it is meant to be seen: phones store portrait video sideways with a display rotation
        (as EXIF does for photos); the output is written upright, without one."""
        rgb = frame.to_ndarray(format="rgb24")
        turns = round((frame.rotation or 0) / 90) % 4  # counter-clockwise quarter turns (av_display_rotation_get)
        if turns:
            if not self.rotated:
                self.rotated = True
                self.notes.append(f"turned upright (the file's display rotation: {frame.rotation} degrees)")
            rgb = np.ascontiguousarray(np.rot90(rgb, turns))
        return rgb

    @property
    def declared_seconds(self) -> float:
        """The video stream's declared duration (else the container's), 0 when unknown."""
        if self.video.duration and self.video.time_base:
            return float(self.video.duration * self.video.time_base)
        return (self.container.duration or 0) / 1e6

    @property
    def start_seconds(self) -> float:
        if self.video.start_time is not None and self.video.time_base:
            return float(self.video.start_time * self.video.time_base)
        return 0.0

    def frames(self) -> Iterator[Frame]:
        av = _av()
        streams = [self.video] + ([self.audio] if self.audio is not None and self.audio_sink else [])
        count, last_time = 0, 0.0
        try:
            for packet in self.container.demux(*streams):
                if packet.stream.type == "audio":
                    if packet.dts is not None:
                        self.audio_sink(packet)
                    continue
                for frame in packet.decode():
                    count += 1
                    if frame.pts is not None and frame.time_base:
                        last_time = float(frame.pts * frame.time_base)
                    yield Frame(self._upright(frame), frame.pts, frame.time_base)
        except av.error.FFmpegError as exc:
            if not count:
                raise ImageError(f"no frame could be decoded: {_why(exc)}") from None
            self.damaged = f"damaged after frame {count}: {_why(exc)}; the {count} frames before it are kept"
        if self.declared_frames and count < self.declared_frames and not self.damaged:
            self.damaged = f"{count} of the {self.declared_frames} frames the file declares could be decoded (cut off?); those are kept"
        declared = self.declared_seconds
        if declared and not self.damaged and last_time - self.start_seconds + 2 / float(self.rate) < declared - 0.5:
            self.damaged = (f"the frames end at {last_time - self.start_seconds:.1f} s of the {declared:.1f} s the file declares "
                            f"(cut off?); the {count} frames there are kept")
        if not count:
            raise ImageError("the video has no frames")


class VideoWriter:
    """Encodes frames into `target` (written under a temporary name, renamed when closed without error).

    The video stream is made on the first frame (its size is the model's output size); audio packets that
    arrive before it wait. Timestamps are the input's, so frame rate, duration and audio sync are kept."""

    def __init__(self, target: Path, reader: VideoReader, codec: str | None = None, crf: int = DEFAULT_CRF):
        self.target, self.reader, self.crf = target, reader, crf
        self.codec = codec or DEFAULT_CODEC.get(target.suffix.lower(), "libx264")
        self.notes: list[str] = []
        self.frames = 0
        self.pending_audio: list = []
        self.stream = self.audio = None
        self.tmp = temporary_for(target)
        av = _av()
        try:
            self.container = av.open(str(self.tmp), "w", format=_format_for(target))
        except (av.error.FFmpegError, ValueError) as exc:
            self.tmp.unlink(missing_ok=True)
            raise ImageError(f"cannot write a {target.suffix} video: {_why(exc)}") from None

    def _start(self, width: int, height: int) -> None:
        av = _av()
        if self.codec not in av.codecs_available:
            raise ImageError(f"codec '{self.codec}' is not in this FFmpeg build")
        stream = self.container.add_stream(self.codec, rate=self.reader.rate)
        stream.width, stream.height = width + width % 2, height + height % 2
        stream.pix_fmt = "yuv420p"
        if self.reader.video.time_base:
            stream.time_base = self.reader.video.time_base
        if self.codec in CRF_CODECS:
            stream.options = {"crf": str(self.crf)} | ({"b": "0"} if self.codec == "libvpx-vp9" else {})
        elif self.crf != DEFAULT_CRF:
            self.notes.append(f"--crf does not apply to {self.codec}: its default quality used")
        if (width, height) != (stream.width, stream.height):
            self.notes.append(f"frames padded from {width}x{height} to {stream.width}x{stream.height} (4:2:0 video needs even sides)")
        self.stream = stream
        if self.reader.audio is not None:
            try:
                self.audio = self.container.add_stream_from_template(self.reader.audio)
            except (av.error.FFmpegError, ValueError) as exc:
                self.notes.append(f"audio not copied: {_why(exc)}")
        for packet in self.pending_audio:
            self.add_audio(packet)
        self.pending_audio = []

    def add_audio(self, packet) -> None:
        """Copy one audio packet as it is (no re-encode)."""
        if self.stream is None:
            self.pending_audio.append(packet)
        elif self.audio is not None:
            packet.stream = self.audio
            self.container.mux(packet)

    def write(self, rgb: np.ndarray, pts: int | None, time_base: Fraction | None) -> None:
        av = _av()
        h, w = rgb.shape[:2]
        if self.stream is None:
            self._start(w, h)
        if (w, h) != (self.stream.width, self.stream.height):
            rgb = np.pad(rgb, ((0, self.stream.height - h), (0, self.stream.width - w), (0, 0)), mode="edge")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame.pts, frame.time_base = (pts, time_base) if pts is not None else (None, None)
        for packet in self.stream.encode(frame):
            self.container.mux(packet)
        self.frames += 1

    def close(self, ok: bool = True) -> None:
        """Flush, write the trailer and rename into place (ok), or drop the temporary file."""
        av = _av()
        try:
            if ok:
                if self.stream is None:
                    raise ImageError("no frame was written")
                for packet in self.stream.encode():
                    self.container.mux(packet)
                self.container.close()
                commit(self.tmp, self.target)
        except av.error.FFmpegError as exc:
            raise ImageError(f"could not finish the video: {_why(exc)}") from None
        finally:
            with contextlib.suppress(Exception):
                self.container.close()
            self.tmp.unlink(missing_ok=True)


def _format_for(target: Path) -> str | None:
    return {".mkv": "matroska", ".webm": "webm", ".mov": "mov", ".mp4": "mp4", ".avi": "avi"}.get(target.suffix.lower())


def _why(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return (text.splitlines() or [type(exc).__name__])[0]
