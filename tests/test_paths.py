"""Paths a public tool meets (part of issue 29): symbolic-link loops and links out of the input tree, names that
are not UTF-8, names at and over the file system's limit. Nothing is followed outside the tree or written outside
OUT; each problem is reported by file and the batch goes on."""

from __future__ import annotations

import json
import os

import numpy as np
from click.testing import CliRunner
from PIL import Image

from gantools.cli.main import main


def png(path):
    Image.fromarray(np.full((8, 8, 3), 120, np.uint8)).save(path)


def upscale(src, out, *extra):
    return CliRunner().invoke(main, ["upscale", str(src), str(out), "--model", "superres-x2", "--quiet", *extra])


def report_of(out):
    return json.loads((out / "gantools-report.json").read_text())


def test_links_never_lead_out_of_the_input_tree(tmp_path):
    src, outside = tmp_path / "in", tmp_path / "outside"
    (src / "sub").mkdir(parents=True)
    outside.mkdir()
    png(src / "a.png")
    png(outside / "secret.png")
    os.symlink("..", src / "sub" / "loop")  # a loop: never entered
    os.symlink(outside, src / "sub" / "away")  # a folder outside: never entered
    os.symlink(outside / "secret.png", src / "link.png")  # a file outside: refused by name
    os.symlink("a.png", src / "same.png")  # a link within the tree: fine
    result = upscale(src, tmp_path / "out")
    assert result.exit_code == 1
    out = tmp_path / "out"
    assert sorted(p.name for p in out.rglob("*.png")) == ["a.png", "same.png"]
    failed = report_of(out)["failed"]
    assert [f["file"] for f in failed] == [str(src / "link.png")] and "out of the input folder" in failed[0]["reason"]
    assert sorted(p.name for p in outside.iterdir()) == ["secret.png"]  # nothing written there


def test_names_that_are_not_utf8_are_kept_byte_for_byte(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    raw = os.fsdecode(b"caf\xe9-\xff.png")  # Latin-1 bytes: not UTF-8
    png(src / raw)
    result = upscale(src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert os.fsencode(next((tmp_path / "out").glob("*.png")).name) == b"caf\xe9-\xff.png"


def test_names_at_and_over_the_limit(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    fits, over = "F" * 251 + ".png", "G" * 240 + ".png"  # 255 bytes; 244 + the suffix below = too long
    png(src / fits)
    png(src / over)
    png(src / "short.png")
    result = upscale(src, tmp_path / "out", "--suffix", "_" * 12)
    assert result.exit_code == 1
    report = report_of(tmp_path / "out")
    assert report["done"] == 1 and {os.path.basename(f["file"]) for f in report["failed"]} == {fits, over}
    assert all("name" in f["reason"].lower() for f in report["failed"])
    plain = upscale(src, tmp_path / "plain")  # without the suffix every name fits, the 255-byte one and its temporary name too
    assert plain.exit_code == 0 and report_of(tmp_path / "plain")["done"] == 3


def test_a_full_disk_stops_the_batch_with_one_clear_line(tmp_path, monkeypatch):
    import errno

    from gantools.infer import runner

    src = tmp_path / "in"
    src.mkdir()
    for i in range(8):
        png(src / f"{i}.png")
    real_write, calls = runner.write, []

    def write_until_full(image, target, quality):
        calls.append(target)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return real_write(image, target, quality)

    monkeypatch.setattr(runner, "write", write_until_full)
    result = upscale(src, tmp_path / "out", "--workers", 1, "--batch-size", 1)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "stopped: cannot write" in result.stderr and "No space left on device; the batch stops" in result.stderr
    report = report_of(tmp_path / "out")
    assert report["done"] == 2 and report["stopped"] and len(calls) < 8  # it did not try every file
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["0.png", "1.png", "gantools-report.json"]  # no partial file


def test_a_report_that_cannot_be_written_is_refused_before_the_work_or_ends_in_exit_1(tmp_path, monkeypatch):
    """--report where no file can be made: one line and exit 2 before any output; a report lost at the end
    (the disk filled) leaves the outputs, says so on stderr and exits 1, not 0."""
    import errno

    from gantools.infer import runner  # the command imports its save_report when it ends

    src = tmp_path / "in"
    src.mkdir()
    png(src / "a.png")
    (tmp_path / "file").write_text("x")
    for bad, why in ((tmp_path / "file" / "sub" / "r.json", "is a file, not a folder"), (tmp_path, "is a directory")):
        result = upscale(src, tmp_path / "out", "--report", bad)
        assert result.exit_code == 2 and why in result.stderr and "Traceback" not in result.output, result.output
        assert not (tmp_path / "out").exists()
    assert upscale(src, tmp_path / "out", "--report", tmp_path / "file" / "r.json").stderr.count("\n") == 1  # ours: one line
    made = upscale(src, tmp_path / "out", "--report", tmp_path / "new" / "deeper" / "r.json")  # folders still to be made are fine
    assert made.exit_code == 0 and json.loads((tmp_path / "new" / "deeper" / "r.json").read_text())["done"] == 1

    def full(report, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(runner, "save_report", full)
    lost = upscale(src, tmp_path / "out2")
    assert lost.exit_code == 1 and "the report could not be written" in lost.stderr and (tmp_path / "out2" / "a.png").exists()


def test_a_full_disk_while_checkpointing_stops_training_and_keeps_the_last_checkpoint(tmp_path, monkeypatch):
    import errno

    import torch

    from gantools.train import checkpoint

    data = tmp_path / "data"
    data.mkdir()
    for i in range(8):
        png(data / f"{i}.png")
    real_save, calls = torch.save, []

    def save_until_full(obj, f, *args, **kwargs):
        calls.append(f)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(checkpoint.torch, "save", save_until_full)
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "dcgan", "--data", str(data), "--out", str(out), "--steps", "4", "--size", "16",
                                       "--base", "4", "--z-dim", "4", "--batch-size", "4", "--checkpoint-every", "2", "--sample-every", "0", "--quiet"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"could not write checkpoint '{out / 'checkpoint.pt'}': No space left on device" in result.stderr
    assert "the previous checkpoint there is intact" in result.stderr
    assert checkpoint.load(out / "checkpoint.pt")["step"] == 2  # whole, loadable, the last good one
    assert not list(out.glob(".checkpoint*.tmp"))


def test_two_runs_into_one_folder_write_each_output_once(tmp_path):
    import subprocess
    import sys

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for i in range(40):
        Image.fromarray(np.full((24, 24, 3), i * 5, np.uint8)).save(src / f"{i:02d}.png")
    cmd = [sys.executable, "-m", "gantools", "upscale", str(src), str(out), "--model", "superres-x2", "--quiet", "--workers", "1"]
    runs = [subprocess.Popen([*cmd, "--report", str(tmp_path / f"r{k}.json")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for k in range(2)]
    assert [p.wait(timeout=300) for p in runs] == [0, 0]
    reports = [json.loads((tmp_path / f"r{k}.json").read_text()) for k in range(2)]
    assert sum(r["done"] for r in reports) == 40  # each output written once, by one of the two
    assert all(r["done"] + r["skipped"] == 40 for r in reports)
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{i:02d}.png" for i in range(40)]  # no claim or temporary file left
    assert all(Image.open(out / n).size == (48, 48) for n in names)


def test_a_dead_runs_claim_is_taken_over(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    png(src / "a.png")
    (out / ".a.png.claim").write_text("999999999 " + __import__("socket").gethostname() + "\n")  # no such process
    result = upscale(src, out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "gantools-report.json"]


def test_a_claim_being_written_is_left_alone_and_a_half_written_old_one_taken_over(tmp_path):
    import os
    import time

    from gantools.infer.claims import claim

    target = tmp_path / "a.png"
    being_written = tmp_path / ".a.png.claim"
    being_written.write_text("")  # another run's claim between its creation and its pid (the two-runs race)
    assert claim(target) is None
    old = time.time() - 60
    os.utime(being_written, (old, old))  # still empty a minute later: its run was killed while claiming
    assert claim(target) == being_written
    assert being_written.read_text().split()[0] == str(os.getpid())
    assert sorted(p.name for p in tmp_path.iterdir()) == [".a.png.claim"]  # no temporary left


def test_each_claim_goes_as_its_output_is_written(tmp_path, monkeypatch):
    import gantools.infer.runner as runner

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for i in range(30):
        png(src / f"{i:02d}.png")
    claims_at_write = []
    real_write = runner.write

    def counting_write(*args, **kwargs):
        claims_at_write.append(len(list(out.glob(".*.claim"))))
        return real_write(*args, **kwargs)

    monkeypatch.setattr(runner, "write", counting_write)
    result = upscale(src, out, "--workers", "1", "--batch-size", "1")
    assert result.exit_code == 0, result.output
    assert len(claims_at_write) == 30
    assert max(claims_at_write) <= 10  # only the images in flight (about 8 here), never the whole batch's 30
    assert not list(out.glob(".*.claim"))


def test_two_inputs_making_one_output_name_are_reported(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    png(src / "a.png")
    Image.fromarray(np.full((8, 8, 3), 60, np.uint8)).save(src / "a.jpg")
    result = upscale(src, out, "--ext", "png")
    assert result.exit_code == 1, result.output  # a failed file: exit 1, as for any file that fails
    report = report_of(out)
    assert report["done"] == 1 and report["skipped"] == 0
    assert len(report["failed"]) == 1 and "also made from 'a.jpg'" in report["failed"][0]["reason"]
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "gantools-report.json"]


def test_an_output_too_wide_for_its_format_is_reported_with_the_way_out(tmp_path, monkeypatch):
    from gantools.recipes.superres.recipe import SuperResPredictor

    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(np.full((4, 8200, 3), 90, np.uint8)).save(src / "strip.webp")  # x2 = 16400 px: over WebP's 16383
    png(src / "small.webp")
    real_prepare, prepared = SuperResPredictor.prepare, []
    monkeypatch.setattr(SuperResPredictor, "prepare", lambda self, d: prepared.append(d.pixels.shape) or real_prepare(self, d))
    result = upscale(src, tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert prepared == [(8, 8, 3)]  # refused before the model ran on it
    report = report_of(tmp_path / "out")
    assert report["done"] == 1 and [f["file"] for f in report["failed"]] == [str(src / "strip.webp")]
    assert "16400x8, is too large for .webp (at most 16383 px a side): choose another format with --ext png" in report["failed"][0]["reason"]
    result = upscale(src, tmp_path / "png", "--ext", ".PNG")  # the dot and the case are forgiven
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "png").glob("*.png")) == ["small.png", "strip.png"]


def test_photos_in_formats_never_written_come_out_as_jpeg_or_png_and_an_unread_folder_says_what_it_holds(tmp_path):
    from pathlib import Path

    src = tmp_path / "in"
    src.mkdir()
    (src / "phone.heic").write_bytes((Path(__file__).parent / "data" / "quadrants.heic").read_bytes())
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(src / "still.gif")
    Image.fromarray(np.full((8, 10, 3), 90, np.uint8)).save(src / "newer.jxl", quality=90)  # JPEG XL (pillow-jxl-plugin)
    result = upscale(src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["gantools-report.json", "newer.jpg", "phone.jpg", "still.png"]
    assert Image.open(tmp_path / "out" / "newer.jpg").size == (20, 16)
    assert Image.open(tmp_path / "out" / "phone.jpg").size == (128, 96)
    other = tmp_path / "notes"
    other.mkdir()
    for name in ("a.txt", "b.txt", "c.docx"):
        (other / name).write_text("x")
    result = upscale(other, tmp_path / "o2")
    assert result.exit_code == 2 and "no images found" in result.output and "(it holds 2 .txt, 1 .docx; read: jpg," in result.output
