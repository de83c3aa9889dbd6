"""`gantools colorize` over a folder of every kind of file a user has: each bad file reported by name,
the rest done at their own size, inputs untouched, re-runs skip finished work."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import train_tiny_colorize
from gantools.cli.main import main


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return train_tiny_colorize(tmp_path_factory.mktemp("colour"))


def user_folder(root: Path) -> Path:
    rng = np.random.default_rng(2)
    rgb = lambda h, w: rng.integers(0, 255, (h, w, 3), dtype=np.uint8)  # noqa: E731
    (root / "sub dir").mkdir(parents=True)
    Image.fromarray(rgb(30, 40)).save(root / "plain.jpg")
    Image.fromarray(rgb(17, 9)).save(root / "UPPER.PNG")
    Image.fromarray(rgb(12, 12)).save(root / "sub dir" / "ünïcode name.png")
    Image.fromarray(rng.integers(0, 65535, (10, 14), dtype=np.uint16)).save(root / "deep16.png")
    la = np.dstack([rng.integers(0, 255, (8, 8), dtype=np.uint8), np.full((8, 8), 77, np.uint8)])
    Image.fromarray(la, "LA").save(root / "gray_alpha.png")
    Image.fromarray(rgb(10, 10)).convert("P").save(root / "palette.png")
    Image.fromarray(rgb(10, 10)).convert("CMYK").save(root / "cmyk.jpg")
    frames = [Image.new("RGB", (6, 6), (80 * i, 0, 0)) for i in range(3)]
    frames[0].save(root / "anim.gif", save_all=True, append_images=frames[1:])
    rotated = Image.fromarray(rgb(10, 20))
    exif = rotated.getexif()
    exif[0x0112] = 6
    rotated.save(root / "rotated.jpg", exif=exif)
    (root / "zero.png").write_bytes(b"")
    (root / "text.jpg").write_text("not a jpeg")
    buf = io.BytesIO()
    Image.fromarray(rgb(64, 64)).save(buf, "JPEG")
    (root / "truncated.jpg").write_bytes(buf.getvalue()[:200])
    buf = io.BytesIO()
    Image.fromarray(rgb(64, 64)).save(buf, "PNG")
    (root / "truncated.png").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    Image.new("L", (200, 200)).save(root / "huge.png")  # over the --max-pixels given below
    return root


def digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_folder_with_every_kind_of_file(model, tmp_path):
    src = user_folder(tmp_path / "in")
    before = digest(src)
    out = tmp_path / "out"
    result = invoke("colorize", src, out, "--model", model, "--max-pixels", 20000, "--quiet")
    assert result.exit_code == 1, result.output  # some failed
    report = json.loads((out / "gantools-report.json").read_text())
    failed = {Path(f["file"]).name: f["reason"] for f in report["failed"]}
    assert set(failed) == {"zero.png", "text.jpg", "truncated.jpg", "truncated.png", "huge.png"}
    assert "0 bytes" in failed["zero.png"] and "over the limit" in failed["huge.png"]
    for name in failed:
        assert name in result.stderr
    assert report["done"] == 9
    sizes = {"plain.jpg": (40, 30), "UPPER.PNG": (9, 17), "sub dir/ünïcode name.png": (12, 12), "deep16.png": (14, 10),
             "gray_alpha.png": (8, 8), "palette.png": (10, 10), "cmyk.jpg": (10, 10), "rotated.jpg": (10, 20)}
    for rel, size in sizes.items():
        with Image.open(out / rel) as im:
            assert im.size == size, rel
    with Image.open(out / "gray_alpha.png") as im:
        assert im.mode == "RGBA" and np.asarray(im)[..., 3].max() == 77  # alpha kept
    assert cv2.imread(str(out / "deep16.png"), cv2.IMREAD_UNCHANGED).dtype == np.uint16  # 16 bits kept
    with av.open(str(out / "anim.mp4")) as video:  # an animated GIF runs as a video, every frame
        frames = [f.to_ndarray(format="rgb24") for f in video.decode(video=0)]
    assert len(frames) == 3 and frames[0].shape == (6, 6, 3)
    assert report["videos"] == 1 and report["frames"] == 3
    assert digest(src) == before, "inputs must never change"
    assert not list(out.rglob("*.tmp"))

    again = invoke("colorize", src, out, "--model", model, "--max-pixels", 20000, "--quiet")
    assert json.loads((out / "gantools-report.json").read_text())["skipped"] == 9
    assert again.exit_code == 1  # the bad files still fail, and say so


def test_output_inside_input_and_over_input(model, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src / "a.png")
    result = invoke("colorize", src, src / "out", "--model", model, "--quiet")
    assert result.exit_code == 0, result.output
    again = invoke("colorize", src, src / "out", "--model", model, "--quiet", "--overwrite")
    assert again.exit_code == 0 and not (src / "out" / "out").exists()  # outputs are not read back as inputs
    over = invoke("colorize", src, src, "--model", model, "--quiet")
    assert over.exit_code == 1 and "overwrite an input" in over.stderr
    assert (src / "a.png").stat().st_size > 0


def test_single_file_suffix_and_ext(model, tmp_path):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "scan.jpg")
    result = invoke("colorize", tmp_path / "scan.jpg", tmp_path / "o", "--model", model, "--suffix", "_c", "--ext", "png", "--quiet")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "scan_c.png").is_file()


@pytest.mark.parametrize("case", ["missing input", "no images", "missing model", "other recipe", "bad ext", "out is a file",
                                  "quality 0", "quality 101", "suffix with a slash", "no pixels allowed"])
def test_usage_errors(model, tmp_path, case):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src / "a.png")
    (tmp_path / "file").write_text("x")
    empty = tmp_path / "empty"
    empty.mkdir()
    args = {
        "missing input": [tmp_path / "nope", tmp_path / "o", "--model", model],
        "no images": [empty, tmp_path / "o", "--model", model],
        "missing model": [src, tmp_path / "o", "--model", tmp_path / "no_model"],
        "other recipe": [src, tmp_path / "o", "--model", "dcgan-digits"],
        "bad ext": [src, tmp_path / "o", "--model", model, "--ext", "gif"],
        "out is a file": [src, tmp_path / "file", "--model", model],
        "quality 0": [src, tmp_path / "o", "--model", model, "--quality", "0"],
        "quality 101": [src, tmp_path / "o", "--model", model, "--quality", "101"],
        "suffix with a slash": [src, tmp_path / "o", "--model", model, "--suffix", "/x"],
        "no pixels allowed": [src, tmp_path / "o", "--model", model, "--max-pixels", "0"],
    }[case]
    result = invoke("colorize", *args, "--quiet")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists() or case == "no images"


def test_read_only_output_folder(model, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src / "a.png")
    root_user = hasattr(os, "geteuid") and os.geteuid() == 0
    if root_user:  # root ignores folder permissions; sysfs refuses even root
        out = Path("/sys/gantools-read-only-test")
        if not Path("/sys").is_dir():
            pytest.skip("no read-only place to write to as root")
    else:
        out = tmp_path / "ro"
        out.mkdir()
        out.chmod(0o555)
    try:
        result = invoke("colorize", src, out, "--model", model, "--quiet")
        assert result.exit_code == 2 and "cannot write" in result.stderr
    finally:
        if not root_user:
            out.chmod(0o755)


def test_same_size_images_are_batched_and_match_one_at_a_time(model, tmp_path):
    from gantools.infer import runner as batch
    from gantools.files import weights

    rng = np.random.default_rng(5)
    src = tmp_path / "in"
    src.mkdir()
    for i in range(5):
        Image.fromarray(rng.integers(0, 255, (40, 56, 3), dtype=np.uint8)).save(src / f"a{i}.png")
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, (33, 20, 3), dtype=np.uint8)).save(src / f"b{i}.png")
    loaded = weights.load(model, expect_recipe="colorize")
    predictor = loaded.recipe.predictor(loaded.networks, "cpu")
    report = batch.run(predictor, src, tmp_path / "out", batch.RunOptions(batch_size=4, progress=False))
    assert report.done == 7 and not report.failed
    assert report.batches == 3  # a0-a3, a4, then b0-b1
    assert set(report.stage_seconds) >= {"decode", "prepare", "model", "finish", "encode"}
    for name in ("a0.png", "a3.png", "b1.png"):
        from gantools.files.imageio import read_image

        alone = predictor.predict(read_image(src / name)).pixels
        batched = np.asarray(Image.open(tmp_path / "out" / name))
        assert np.abs(alone.astype(int) - batched.astype(int)).max() <= 1


def test_eval_scores_against_the_gray_baseline_and_reports_bad_files(model, tmp_path):
    rng = np.random.default_rng(7)
    data = tmp_path / "holdout"
    data.mkdir()
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, (40, 60, 3), dtype=np.uint8)).save(data / f"p{i}.png")
    (data / "broken.jpg").write_text("no")
    Image.fromarray(rng.integers(0, 255, (40, 60), dtype=np.uint8)).save(data / "gray.png")  # nothing to score
    Image.fromarray(rng.integers(0, 255, (1, 1, 3), dtype=np.uint8)).save(data / "dot.png")  # SSIM undefined: NaN, skipped in means
    before = digest(data)
    result = invoke("eval", "colorize", "--data", data, "--model", model, "--json", tmp_path / "e.json",
                    "--examples", tmp_path / "ex", "--max-side", 32, "--temperature", 0.9)
    assert result.exit_code == 0, result.output
    scores = json.loads((tmp_path / "e.json").read_text())
    assert scores["inference_options"] == {"render_size": 256, "temperature": 0.9, "saturation": 1.0, "size_multiple": 128, "video_smoothing": 0.8,
                                           "precision": "auto"}
    assert [r["file"] for r in scores["rows"]] == ["dot.png", "p0.png", "p1.png"]
    dot = scores["rows"].pop(0)
    assert dot["size"] == "1x1" and np.isnan(dot["ssim"])
    assert all(r["size"] == "32x21" and r["colourfulness_truth"] > 0 for r in scores["rows"])
    assert scores["summary"]["ssim"] == pytest.approx(np.mean([r["ssim"] for r in scores["rows"]]))
    assert scores["summary"]["colourfulness_ratio"] >= 0 and set(scores["checks"]) == {
        "psnr at least 1.0 dB above the gray baseline", "better than gray on at least 70% of photos", "colourfulness at least 60% of the truth's"}
    assert all(0 <= r["colour_confidence"] <= 1 for r in scores["rows"])
    assert [(s["file"], s["reason"][:12]) for s in scores["skipped"]] == [(str(data / "broken.jpg"), "not an image"),
                                                                           (str(data / "gray.png"), "already gray")]
    assert "broken.jpg" in result.stderr and "mean over 3 image(s)" in result.stdout
    assert sorted(p.name for p in (tmp_path / "ex").iterdir()) == ["dot.jpg", "p0.jpg", "p1.jpg"]
    assert digest(data) == before


@pytest.mark.parametrize("args, message", [
    (["--data", "nowhere"], "is not a folder"),
    (["--model", "no/such/model"], "no/such/model"),
    (["--max-side", "3"], "--max-side"),
    (["--tile", "3"], "--tile is not an inference option of a 'colorize' model"),
    (["--temperature", "0"], "temperature must be between 0.01 and 1"),
])
def test_eval_mistakes_end_in_one_line(model, tmp_path, args, message):
    data = tmp_path / "d"
    data.mkdir()
    Image.new("RGB", (8, 8)).save(data / "a.png")
    base = {"--data": str(data), "--model": str(model)}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    result = invoke("eval", "colorize", *[x for kv in base.items() for x in kv])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_export_a_run_in_progress(model, tmp_path):
    result = invoke("export", model, "--out", tmp_path / "snap")
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "snap" / "model.json").read_text())
    assert card["recipe"] == "colorize" and card["training"]["snapshot_of"] == str(Path(model).resolve())
    src = tmp_path / "in"
    src.mkdir()
    Image.new("RGB", (9, 7), (10, 20, 30)).save(src / "x.png")
    assert invoke("colorize", src, tmp_path / "out", "--model", tmp_path / "snap", "--quiet").exit_code == 0
    bad = invoke("export", tmp_path)
    assert bad.exit_code == 2 and "not a run folder" in bad.stderr


def test_killed_run_leaves_only_whole_images_and_a_rerun_finishes(model, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    rng = np.random.default_rng(9)
    for i in range(60):
        Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)).save(src / f"{i:02d}.png")
    cmd = [sys.executable, "-m", "gantools", "colorize", str(src), str(out), "--model", str(model), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and len(list(out.glob("*.png"))) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = sorted(out.glob("*.png"))
    for path in finished:  # every visible output is a whole image
        with Image.open(path) as im:
            im.load()
            assert im.size == (400, 300)
    rerun = invoke("colorize", src, out, "--model", model, "--quiet")
    assert rerun.exit_code == 0, rerun.output
    report = json.loads((out / "gantools-report.json").read_text())
    assert report["skipped"] == len(finished) and report["done"] == 60 - len(finished)
    assert not [p for p in out.iterdir() if p.suffix == ".png" and p.name.startswith(".")]


def test_colorize_saturation_option(model, tmp_path):
    """`--saturation 0` writes gray (the input's own luminance); out of range is one line and exit code 2."""
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(np.random.default_rng(5).integers(0, 255, (24, 40), dtype=np.uint8)).save(src / "g.png")
    result = invoke("colorize", src, tmp_path / "out", "--model", model, "--saturation", 0, "--quiet")
    assert result.exit_code == 0, result.output
    out = np.asarray(Image.open(tmp_path / "out" / "g.png")).astype(int)
    assert out.shape == (24, 40, 3) and np.abs(out - out[..., :1]).max() <= 1
    bad = invoke("colorize", src, tmp_path / "out2", "--model", model, "--saturation", 9, "--quiet")
    assert bad.exit_code == 2 and "saturation must be between 0 and 4" in bad.stderr and "Traceback" not in bad.output
