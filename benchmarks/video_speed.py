"""Video speed and memory: frames/s of `gantools colorize` and `gantools upscale --scale 2` on a 720p clip, and
peak resident memory against the clip's length (it must not grow with it: frames stream in batches).

The clip is a slow pan across a real photo (scikit-learn's sample photo), H.264 at 25 fps with an AAC track,
made here; each command runs in a child process as a user would type it; peak RSS is its ru_maxrss.

    python benchmarks/video_speed.py [--seconds 10] [--width 1280 --height 720] [--fps 25] [--commands colorize,upscale]
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

COMMANDS = {"colorize": ["colorize"], "upscale": ["upscale", "--scale", "2"]}


def make_clip(path: Path, seconds: float, width: int, height: int, fps: int) -> int:
    from sklearn.datasets import load_sample_images

    photo = load_sample_images().images[0]
    big = cv2.resize(photo, (width * 3 // 2, height * 3 // 2), interpolation=cv2.INTER_CUBIC)
    frames = int(round(seconds * fps))
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "23", "preset": "veryfast"}
        audio = container.add_stream("aac", rate=44100)
        audio.layout = "mono"
        travel = big.shape[1] - width
        for i in range(frames):
            x = int(travel * (0.5 - 0.5 * np.cos(2 * np.pi * i / max(frames, 1) * max(1, seconds / 20))))
            for packet in video.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(big[:height, x:x + width]), format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        silence = np.zeros((1, 1024), np.float32)
        for k in range(int(seconds * 44100 / 1024)):
            frame = av.AudioFrame.from_ndarray(silence, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, k * 1024
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--commands", default="colorize,upscale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        frames = make_clip(clip, args.seconds, args.width, args.height, args.fps)
        print(f"clip: {args.width}x{args.height}, {frames} frames at {args.fps} fps ({args.seconds:g} s), H.264 + AAC")
        for name in args.commands.split(","):
            out = Path(tmp) / name
            # Each command in its own child whose peak RSS alone is read (a grandchild's rusage is its own).
            probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True); "
                     "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            cmd = [sys.executable, "-m", "gantools", *COMMANDS[name], str(clip), str(out), "--quiet"]
            result = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, capture_output=True, text=True)
            wall, peak_kib = (float(v) for v in result.stdout.split()[-2:])
            with av.open(str(out / "clip.mp4")) as container:
                made = container.streams.video[0]
                size, count = f"{made.width}x{made.height}", made.frames
            print(f"{' '.join(COMMANDS[name])}: {frames / wall:.2f} frames/s ({wall:.1f} s), peak RSS {peak_kib / 1024**2:.2f} GiB, "
                  f"output {size}, {count} frames")


if __name__ == "__main__":
    main()
