"""Video in, video out through the shared runner: frames, rate, duration and audio kept; damage reported, the
frames before it kept; colour smoothed over time without smearing motion or crossing scene cuts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import av
import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from conftest import train_tiny_colorize
from gantools.cli.main import main
from gantools.infer.predictor import Job
from gantools.recipes.colorize.temporal import ColourSmoother


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def make_video(path: Path, frames: list[np.ndarray], fps: int = 24, audio: bool = True, codec: str = "libx264",
               pix_fmt: str = "yuv420p") -> None:
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        video = container.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = w, h, pix_fmt
        sound = container.add_stream("aac", rate=22050) if audio else None
        if sound is not None:
            sound.layout = "mono"
        for image in frames:
            for packet in video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if sound is not None:
            t = np.arange(int(22050 * len(frames) / fps)) / 22050
            samples = (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)[None]
            for start in range(0, samples.shape[1], 1024):
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + 1024]), format="fltp", layout="mono")
                frame.sample_rate, frame.pts = 22050, start
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)


def moving_square(n: int, h: int = 48, w: int = 64) -> list[np.ndarray]:
    frames = []
    for i in range(n):
        image = np.full((h, w, 3), 90, np.uint8)
        image[10:30, 5 + 2 * i:25 + 2 * i] = 220
        frames.append(image)
    return frames


def probe(path: Path) -> dict:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        rate, seconds = video.average_rate, float(video.duration * video.time_base) if video.duration else None
        audio = [bytes(p) for p in container.demux(container.streams.audio[0]) if p.size] if container.streams.audio else []
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return {"frames": frames, "rate": rate, "seconds": seconds, "audio": audio}


def digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())).hexdigest()


@pytest.fixture(scope="module")
def colorize_model(tmp_path_factory):
    return train_tiny_colorize(tmp_path_factory.mktemp("colour"))


def test_video_keeps_frames_rate_duration_and_audio(colorize_model, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    make_video(src / "clip.mp4", moving_square(12))
    before = digest(src)
    result = invoke("colorize", src, tmp_path / "out", "--model", colorize_model, "--render-size", 64, "--quiet")
    assert result.exit_code == 0, result.output
    given, made = probe(src / "clip.mp4"), probe(tmp_path / "out" / "clip.mp4")
    assert len(made["frames"]) == 12 and made["frames"][0].shape == (48, 64, 3)
    assert made["rate"] == given["rate"] == 24
    assert made["seconds"] == pytest.approx(given["seconds"], abs=1 / 24)
    assert made["audio"] and made["audio"] == given["audio"], "audio must be copied packet for packet"
    report = json.loads((tmp_path / "out" / "gantools-report.json").read_text())
    assert report["videos"] == 1 and report["frames"] == 12 and "audio copied" in report["notes"][0]["notes"][0]
    assert digest(src) == before and not list((tmp_path / "out").rglob("*.tmp"))
    again = invoke("colorize", src, tmp_path / "out", "--model", colorize_model, "--quiet")
    assert again.exit_code == 0 and json.loads((tmp_path / "out" / "gantools-report.json").read_text())["skipped"] == 1


def test_damaged_and_broken_videos(colorize_model, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    make_video(src / "whole.mkv", moving_square(40))
    data = (src / "whole.mkv").read_bytes()
    (src / "cut.mkv").write_bytes(data[: len(data) // 2])  # a download that stopped half-way
    (src / "junk.mp4").write_bytes(b"not a video" * 50)
    (src / "empty.mov").write_bytes(b"")
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(src / "photo.png")
    result = invoke("colorize", src, tmp_path / "out", "--model", colorize_model, "--render-size", 64, "--quiet")
    assert result.exit_code == 1
    report = json.loads((tmp_path / "out" / "gantools-report.json").read_text())
    failed = {Path(f["file"]).name: f["reason"] for f in report["failed"]}
    assert set(failed) == {"junk.mp4", "empty.mov"} and "0 bytes" in failed["empty.mov"]
    assert "junk.mp4" in result.stderr
    assert report["done"] == 3 and report["videos"] == 2
    cut = probe(tmp_path / "out" / "cut.mkv")["frames"]
    assert 0 < len(cut) < 40
    notes = {Path(n["file"]).name: " ".join(n["notes"]) for n in report["notes"]}
    assert "cut off" in notes["cut.mkv"] and "kept" in notes["cut.mkv"]
    assert len(probe(tmp_path / "out" / "whole.mkv")["frames"]) == 40
    assert not list((tmp_path / "out").rglob("*.tmp")) and not (tmp_path / "out" / "junk.mp4").exists()


def test_upscale_video_and_odd_sizes(colorize_model, tmp_path):
    frames = [np.random.default_rng(i).integers(0, 255, (15, 21, 3), dtype=np.uint8) for i in range(4)]
    make_video(tmp_path / "odd.mov", frames, audio=False, codec="png", pix_fmt="rgb24")  # odd sides: lossless PNG frames
    up = invoke("upscale", tmp_path / "odd.mov", tmp_path / "up", "--scale", 2, "--quiet")
    assert up.exit_code == 0, up.output
    assert [f.shape for f in probe(tmp_path / "up" / "odd.mov")["frames"]] == [(30, 42, 3)] * 4
    col = invoke("colorize", tmp_path / "odd.mov", tmp_path / "col", "--model", colorize_model, "--render-size", 64, "--quiet")
    assert col.exit_code == 0, col.output
    assert probe(tmp_path / "col" / "odd.mov")["frames"][0].shape == (16, 22, 3)  # 4:2:0 H.264 needs even sides
    report = json.loads((tmp_path / "col" / "gantools-report.json").read_text())
    assert "padded from 21x15 to 22x16" in " ".join(report["notes"][0]["notes"])


def test_webm_stays_webm_and_bad_video_options(colorize_model, tmp_path):
    make_video(tmp_path / "clip.webm", moving_square(3), audio=False, codec="libvpx-vp9")
    result = invoke("colorize", tmp_path / "clip.webm", tmp_path / "out", "--model", colorize_model, "--render-size", 64, "--quiet")
    assert result.exit_code == 0, result.output
    with av.open(str(tmp_path / "out" / "clip.webm")) as container:
        assert container.streams.video[0].codec_context.name == "vp9"
    bad = invoke("colorize", tmp_path / "clip.webm", tmp_path / "o2", "--crf", 99)
    assert bad.exit_code == 2 and "--crf" in bad.output and "Traceback" not in bad.output
    nocodec = invoke("colorize", tmp_path / "clip.webm", tmp_path / "o3", "--model", colorize_model, "--codec", "nosuchcodec", "--quiet")
    assert nocodec.exit_code == 1 and "nosuchcodec" in nocodec.stderr and not list((tmp_path / "o3").rglob("*.webm*"))


def job_of(L: torch.Tensor) -> Job:
    return Job(L[None])


def test_colour_smoother_steadies_still_pixels_follows_motion_and_resets_at_cuts():
    rng = np.random.default_rng(0)
    L = torch.zeros(32, 32)
    smoother, outputs = ColourSmoother(0.8), []
    for _ in range(30):  # a still scene whose predicted colour jitters from frame to frame
        guess = torch.from_numpy(rng.normal(0.2, 0.05, (3, 32, 32)).astype(np.float32))
        outputs.append(smoother(job_of(L + torch.from_numpy(rng.normal(0, 0.005, (32, 32)).astype(np.float32))), guess))
    flicker = np.mean([float((a[:2] - b[:2]).abs().mean()) for a, b in zip(outputs[10:], outputs[11:])])
    frame_by_frame = 0.05 * 2 / np.sqrt(np.pi)  # mean |difference| of two independent N(0, 0.05) draws
    assert flicker < 0.4 * frame_by_frame
    moved = L.clone()
    moved[:, :8] = 0.5  # something moves in a quarter of the picture: those pixels take the new colour at once
    new = torch.full((3, 32, 32), -0.3)
    out = smoother(job_of(moved), new)
    assert float((out[:2, :, :4] - new[:2, :, :4]).abs().max()) < 0.02 and smoother.cuts == 0
    assert float((out[:2, :, 24:] - new[:2, :, 24:]).abs().mean()) > 0.3  # the still half keeps its colour
    cut = smoother(job_of(torch.full((32, 32), -0.9)), new)  # a scene cut: nothing carried over
    assert torch.equal(cut, new) and smoother.cuts == 1
    assert torch.equal(ColourSmoother(0.0)(job_of(L), new), new)


def test_phone_video_with_a_display_rotation_comes_out_upright(tmp_path):
    """A portrait phone clip is stored sideways (landscape) with a display rotation of -90 degrees (turn clockwise
    to view); the output's frames are upright, so players without the rotation show it right too."""
    stored = np.full((48, 64, 3), 40, np.uint8)
    stored[:12, :16] = 230  # a bright mark at the stored frame's top-left
    with av.open(str(tmp_path / "phone.mp4"), "w") as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        video.set_display_rotation(-90)
        for _ in range(3):
            for packet in video.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
    result = invoke("upscale", tmp_path / "phone.mp4", tmp_path / "out", "--scale", 2, "--quiet")
    assert result.exit_code == 0, result.output
    frame = probe(tmp_path / "out" / "phone.mp4")["frames"][0]
    assert frame.shape == (128, 96, 3)  # portrait
    gray = frame.mean(axis=2)
    assert gray[:20, -28:].mean() > 150 and gray[:20, :28].mean() < 100  # turned clockwise: the mark is now top-right
    report = json.loads((tmp_path / "out" / "gantools-report.json").read_text())
    assert "turned upright" in " ".join(report["notes"][0]["notes"])


def test_a_file_without_video_or_with_an_undecodable_stream_is_reported(tmp_path, colorize_model):
    src = tmp_path / "in"
    src.mkdir()
    with av.open(str(src / "voice.mp4"), "w") as container:  # sound only
        sound = container.add_stream("aac", rate=22050)
        sound.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = 22050, 0
        for packet in list(sound.encode(frame)) + list(sound.encode()):
            container.mux(packet)
    make_video(src / "clip.mkv", moving_square(8), audio=False)
    data = bytearray((src / "clip.mkv").read_bytes())
    for i in range(len(data) // 3, len(data)):  # the video stream's bytes scrambled after its header
        data[i] = (data[i] * 7 + 13) % 256
    (src / "scrambled.mkv").write_bytes(bytes(data))
    (src / "clip.mkv").unlink()
    result = invoke("colorize", src, tmp_path / "out", "--model", colorize_model, "--render-size", 64, "--quiet")
    report = json.loads((tmp_path / "out" / "gantools-report.json").read_text())
    failed = {Path(f["file"]).name: f["reason"] for f in report["failed"]}
    assert "no video stream" in failed["voice.mp4"]
    notes = {Path(n["file"]).name: " ".join(n["notes"]) for n in report["notes"]}
    # A scrambled stream either fails with its reason or keeps what decoded before the damage: never a crash.
    assert "scrambled.mkv" in failed or "kept" in notes.get("scrambled.mkv", "")
    assert result.exit_code == 1 and "Traceback" not in result.output
