"""Flicker of colourised video: mean |delta ab| between consecutive frames of a still scene, smoothed against frame by frame.

Each photo becomes two gray clips encoded with H.264 (crf 28, as a web video is): a still shot (the photo
with fresh sensor noise in every frame, sigma 3 gray levels) and a slow pan across it (4 px a frame). Both run
through `gantools colorize` twice, `--video-smoothing 0` (each frame on its own) and the default; the decoded
outputs are compared in CIELAB (scikit-image).
  flicker: mean |ab(t) - ab(t-1)| over the still clips (lower = steadier; the truth is 0).
  pan lag: mean |ab_smoothed - ab_frame_by_frame| over the pan clips (what smoothing changes where the picture
           moves; near 0 = no colour trails).

    python benchmarks/video_flicker.py PHOTOS... [--frames 30] [--side 360] [--noise 3] [--crf 28]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import av
import cv2
import numpy as np
from skimage.color import rgb2lab


def encode(frames: list[np.ndarray], path: Path, crf: int, fps: int = 25) -> None:
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"crf": str(crf)}
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def ab_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [rgb2lab(f.to_ndarray(format="rgb24"))[..., 1:] for f in container.decode(video=0)]


def clips(photo: Path, frames: int, side: int, noise: float, rng: np.random.Generator) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    scale = side / min(gray.shape)
    gray = cv2.resize(gray, (round(gray.shape[1] * scale) // 2 * 2, round(gray.shape[0] * scale) // 2 * 2), interpolation=cv2.INTER_AREA)
    h, w = gray.shape
    still = [np.repeat(np.clip(gray + rng.normal(0, noise, gray.shape), 0, 255).astype(np.uint8)[..., None], 3, 2) for _ in range(frames)]
    crop_w = (w - 4 * frames) // 2 * 2
    if crop_w < w // 2:
        raise SystemExit(f"{photo.name}: too narrow for a {frames}-frame pan at {side} px")
    pan = [np.repeat(gray[:, 4 * i: 4 * i + crop_w].astype(np.uint8)[..., None], 3, 2) for i in range(frames)]
    return still, pan


def colorize(src: Path, out: Path, smoothing: float | None) -> None:
    cmd = [sys.executable, "-m", "gantools", "colorize", str(src), str(out), "--quiet"]
    subprocess.run(cmd + ([] if smoothing is None else ["--video-smoothing", str(smoothing)]), check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="+", type=Path)
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--side", type=int, default=360)
    parser.add_argument("--noise", type=float, default=3.0, help="sensor noise of the still clips, gray levels")
    parser.add_argument("--crf", type=int, default=28, help="H.264 quality of the input clips")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for photo in args.photos:
            still, pan = clips(photo, args.frames, args.side, args.noise, rng)
            encode(still, src / f"{photo.stem}-still.mp4", args.crf)
            encode(pan, src / f"{photo.stem}-pan.mp4", args.crf)
        colorize(src, Path(tmp) / "each", 0)
        colorize(src, Path(tmp) / "smooth", None)
        flicker = {"each": [], "smooth": []}
        lag = []
        for photo in args.photos:
            for kind in flicker:
                ab = ab_frames(Path(tmp) / kind / f"{photo.stem}-still.mp4")
                flicker[kind].append(np.mean([np.abs(a - b).mean() for a, b in zip(ab[1:], ab[:-1])]))
            each, smooth = (ab_frames(Path(tmp) / kind / f"{photo.stem}-pan.mp4") for kind in ("each", "smooth"))
            lag.append(np.mean([np.abs(a - b).mean() for a, b in zip(each, smooth)]))
    print(f"{len(args.photos)} photos, {args.frames} frames a clip, shorter side {args.side}, noise {args.noise:g}, input crf {args.crf}")
    print(f"flicker on still clips, mean |delta ab| between frames: frame by frame {np.mean(flicker['each']):.3f}, "
          f"smoothed (default) {np.mean(flicker['smooth']):.3f} ({np.mean(flicker['smooth']) / np.mean(flicker['each']):.2f}x)")
    print(f"pan clips, mean |ab smoothed - ab frame by frame|: {np.mean(lag):.3f}")


if __name__ == "__main__":
    main()
