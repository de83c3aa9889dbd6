"""The command line through click's CliRunner: help, one-line errors with exit code 2, train -> sample."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from PIL import Image

from gantools.cli.main import main


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_user_error(result, fragment: str):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.output


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("train", "sample", "recipes", "info", "data"):
        assert command in result.output


def test_recipes_and_info():
    result = run("recipes")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == ["augment", "colorize", "cyclegan", "dcgan", "infogan", "sketch2photo", "superres"]
    detail = run("recipes", "dcgan")
    assert "conditional" in detail.output and "lr-g" in detail.output
    info = run("info")
    assert info.exit_code == 0
    assert "torch" in info.output and "device" in info.output and "cpu threads" in info.output


@pytest.fixture
def trained(shapes, tmp_path, tiny_overrides):
    out = tmp_path / "run"
    result = run("train", "dcgan", "--data", shapes, "--conditional", "--out", out, "--steps", 4, "--quiet", *tiny_overrides)
    assert result.exit_code == 0, result.output
    return out


def test_train_then_sample_round_trip(trained, tmp_path):
    card = json.loads((trained / "model.json").read_text())
    assert card["recipe"] == "dcgan" and card["classes"] == ["disc", "square"]
    assert card["training"]["data"]["images"] == 24 and card["training"]["steps"] == 4
    cfg = yaml.safe_load((trained / "config.yaml").read_text())
    assert cfg["recipe_config"]["size"] == 16 and cfg["train"]["batch_size"] == 8

    out = tmp_path / "samples"
    result = run("sample", trained, "--n", 3, "--out", out, "--grid", "--interpolate", 5, "--seed", 7)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "disc").iterdir()) == ["00000.png", "00001.png", "00002.png"]
    assert len(list((out / "square").iterdir())) == 3
    with Image.open(out / "disc" / "00000.png") as im:
        assert im.size == (16, 16) and im.mode == "RGB"
    with Image.open(out / "interpolation.png") as im:
        assert im.size[0] == 2 + 5 * (16 + 2)  # a strip of 5 steps per row
    assert (out / "grid.png").is_file()

    again = tmp_path / "again"
    run("sample", trained, "--n", 3, "--out", again, "--grid", "--interpolate", 5, "--seed", 7)
    assert digest(out) == digest(again), "same seed must give the same images"
    other = tmp_path / "other"
    run("sample", trained, "--n", 3, "--out", other, "--seed", 8)
    assert digest(other)["disc/00000.png"] != digest(out)["disc/00000.png"]

    one = tmp_path / "one"
    result = run("sample", trained, "--n", 2, "--out", one, "--class", "square")
    assert result.exit_code == 0 and sorted(p.name for p in one.iterdir()) == ["samples.json", "square"]


def test_exported_dcgan_samples_with_its_own_standing_statistics(trained, assert_standing_stats):
    # The EMA generator's BN buffers are the live G's; the exported one carries statistics of its own outputs.
    assert_standing_stats(trained, "dcgan")


def test_a_snapshot_of_a_run_samples_with_standing_statistics_too(trained, tmp_path, assert_standing_stats):
    # `gantools export` mid-run must give the same finishing touch as the end of training, as model.json says.
    result = run("export", trained, "--out", tmp_path / "snap")
    assert result.exit_code == 0, result.output
    assert_standing_stats(tmp_path / "snap", "dcgan", checkpoint_run=trained)
    assert (tmp_path / "snap" / "training-data.sha256").read_text() == (trained / "training-data.sha256").read_text()


def test_sample_errors(trained, tmp_path):
    assert_user_error(run("sample", trained, "--out", tmp_path / "s", "--class", "triangle"), "unknown class 'triangle'")
    assert_user_error(run("sample", tmp_path / "nowhere", "--out", tmp_path / "s"), "not found")
    assert_user_error(run("sample", trained, "--out", tmp_path / "s", "--n", 0), "--n")
    # a billion would be drawn at once (hundreds of GB): refused before anything is made
    assert_user_error(run("sample", trained, "--out", tmp_path / "s", "--n", 10**9), "--n is at most 100,000 per run")
    assert_user_error(run("sample", "infogan-digits", "--out", tmp_path / "s", "--code", "c1=1", "--n", 10**9), "--n is at most")
    assert not (tmp_path / "s").exists()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.safetensors").write_bytes(b"not safetensors")
    (tmp_path / "broken" / "model.json").write_text((trained / "model.json").read_text())
    assert_user_error(run("sample", tmp_path / "broken", "--out", tmp_path / "s"), "not a readable safetensors")


def test_resume_continues_and_refuses_overwrite(trained, shapes, tiny_overrides):
    before = digest(trained)
    assert_user_error(run("train", "dcgan", "--data", shapes, "--conditional", "--out", trained, *tiny_overrides), "--resume")
    assert digest(trained) == before, "a refused run must write nothing"
    result = run("train", "dcgan", "--out", trained, "--resume", "--steps", 6, "--quiet")
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in (trained / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [2, 4, 6]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["train", "nope", "--data", "{data}", "--out", "{out}"], "unknown recipe 'nope'"),
        (["train", "dcgan", "--out", "{out}"], "--data is required"),
        (["train", "dcgan", "--data", "{missing}", "--out", "{out}"], "does not exist"),
        (["train", "dcgan", "--data", "{empty}", "--out", "{out}"], "no images found"),
        (["train", "dcgan", "--data", "{data}", "--out", "{out}", "--set", "colour=gray"], "unknown setting 'colour'"),
        (["train", "dcgan", "--data", "{data}", "--out", "{out}", "--lr-g", "fast"], "wants float"),
        (["train", "dcgan", "--data", "{data}", "--out", "{out}", "--size", "48"], "power of two"),
        (["train", "dcgan", "--data", "{data}", "--out", "{out}", "--loss", "hinge", "--label-smoothing", "0.1"], "label smoothing"),
        (["train", "dcgan", "--data", "{data}", "--out", "{out}", "--resume"], "nothing to resume"),
        (["train", "dcgan", "--data", "{data}", "--out", "{out}", "--config", "{missing}.yaml"], "does not exist"),
        (["train", "dcgan", "--data", "{loose}", "--out", "{out}", "--conditional"], "directly"),
        (["train", "dcgan", "--data", "{data}", "--out", "{out}", "--device", "cuda:7"], "cuda"),
        (["train", "dcgan", "--data", "{data}", "--out", "{file}/run", "--steps", "1"], "a file is in the way of a folder"),
        (["train", "{exits}", "--data", "{data}", "--out", "{out}"], "called exit(3) while importing"),
        (["data", "digits", "{file}/digits"], "a file is in the way of a folder"),
        (["sample", "dcgan-digits", "--n", "2", "--out", "{file}/s"], "a file is in the way of a folder"),
        (["eval", "sketch2photo", "--data", "{data}/square", "--json", "{file}/e.json"], "a file is in the way of a folder"),
        (["eval", "sketch2photo", "--data", "{data}/square", "--json", "/proc/gantools-e.json"], "No such file or directory: '/proc/gantools-e.json'"),
    ],
)
def test_user_mistakes_end_in_one_line_and_exit_2(tmp_path, shapes, args, fragment):
    (tmp_path / "empty").mkdir()
    loose = tmp_path / "loose"
    (loose / "a").mkdir(parents=True)
    Image.new("RGB", (16, 16)).save(loose / "stray.png")
    (tmp_path / "file").write_text("a file where a folder should go")
    (tmp_path / "exits.py").write_text("raise SystemExit(3)\n")
    values = {"data": shapes, "out": tmp_path / "out", "missing": tmp_path / "missing", "empty": tmp_path / "empty", "loose": loose,
              "file": tmp_path / "file", "exits": tmp_path / "exits.py"}
    result = run(*[a.format(**values) for a in args])
    assert_user_error(result, fragment)
    assert not (tmp_path / "out").exists(), "a refused run must not create its run folder"


def test_class_with_one_image_and_unreadable_data(tmp_path):
    data = tmp_path / "cls"
    for name, count in (("a", 3), ("b", 1)):
        (data / name).mkdir(parents=True)
        for i in range(count):
            Image.new("RGB", (16, 16), (i * 40, 0, 0)).save(data / name / f"{i}.png")
    assert_user_error(run("train", "dcgan", "--data", data, "--conditional", "--out", tmp_path / "o"), "class 'b' has 1 readable image")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "zero.png").write_bytes(b"")
    (bad / "text.jpg").write_text("hello")
    assert_user_error(run("train", "dcgan", "--data", bad, "--out", tmp_path / "o2"), "no readable images")


def write_mixed_folder(root: Path) -> Path:
    """Every mode and size a user's folder might hold, plus three files that cannot be read."""
    root.mkdir(parents=True)
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (30, 20, 3), dtype=np.uint8)).save(root / "rgb.png")
    Image.fromarray(rng.integers(0, 255, (20, 20), dtype=np.uint8)).save(root / "gray.png")
    Image.fromarray(rng.integers(0, 255, (24, 24, 4), dtype=np.uint8), "RGBA").save(root / "rgba.png")
    Image.fromarray(rng.integers(0, 65535, (18, 22), dtype=np.uint16)).save(root / "deep16.png")
    Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).convert("P").save(root / "palette.png")
    Image.fromarray(rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)).save(root / "photo.JPG", quality=90)
    Image.fromarray(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)).save(root / "pic.bmp")
    (root / "zero.png").write_bytes(b"")
    (root / "notes.jpg").write_text("this is text, not a JPEG")
    whole = (root / "rgb.png").read_bytes()
    (root / "truncated.png").write_bytes(whole[: len(whole) // 2])
    return root


def test_mixed_modes_train_and_bad_files_are_counted(tmp_path, tiny_overrides):
    data = write_mixed_folder(tmp_path / "mixed")
    before = digest(data)
    result = run("train", "dcgan", "--data", data, "--out", tmp_path / "run", "--steps", 2, "--quiet", *tiny_overrides)
    assert result.exit_code == 0, result.output
    summary = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())["data_summary"]
    assert summary["images"] == 7 and summary["skipped"] == 3
    named = {Path(entry["file"]).name: entry["reason"] for entry in summary["skipped_files"]}
    assert set(named) == {"zero.png", "notes.jpg", "truncated.png"}
    assert "0 bytes" in named["zero.png"] and "truncated" in named["truncated.png"]
    for name in named:
        assert name in result.stderr  # and each is named on the console
    assert digest(data) == before, "inputs must never be modified"


USER_RECIPE = '''
"""A user's own recipe: the dcgan recipe with hinge loss and its own name."""
from gantools.recipes.dcgan import DCGANRecipe


class HingeDCGAN(DCGANRecipe):
    name = "hinge-dcgan"
    summary = "dcgan with hinge loss"
    train_defaults = {**DCGANRecipe.train_defaults, "loss": "hinge"}
'''


def test_user_recipe_file_and_foreign_checkpoint(shapes, tmp_path, tiny_overrides):
    recipe = tmp_path / "my_recipe.py"
    recipe.write_text(USER_RECIPE)
    out = tmp_path / "mine"
    result = run("train", recipe, "--data", shapes, "--out", out, "--steps", 2, "--quiet", *tiny_overrides)
    assert result.exit_code == 0, result.output
    cfg = yaml.safe_load((out / "config.yaml").read_text())
    assert cfg["recipe"] == "hinge-dcgan" and cfg["train"]["loss"] == "hinge"
    assert_user_error(run("sample", out, "--n", 2, "--out", tmp_path / "s"), f"pass the file with --recipe {recipe.resolve()}")
    assert run("sample", out, "--n", 2, "--out", tmp_path / "s", "--recipe", recipe).exit_code == 0
    before = digest(out)
    assert_user_error(run("train", "dcgan", "--data", shapes, "--out", out, "--resume"), "'hinge-dcgan' run")
    assert digest(out) == before
    (tmp_path / "broken.py").write_text("raise ImportError('oops')\n")
    assert_user_error(run("train", tmp_path / "broken.py", "--data", shapes, "--out", tmp_path / "x"), "failed to import")


def test_config_file_and_set_precedence(shapes, tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("train:\n  steps: 3\n  lr_d: 0.001\nsize: 32\nbase: 8\n")
    result = run("train", "dcgan", "--data", shapes, "--out", tmp_path / "o", "--config", cfg, "--set", "lr_d=0.0005", "--dry-run")
    assert result.exit_code == 0, result.output
    resolved = yaml.safe_load(result.output)
    assert resolved["train"]["steps"] == 3 and resolved["train"]["lr_d"] == 0.0005
    assert resolved["recipe_config"]["size"] == 32 and resolved["recipe_config"]["color"] == "rgb"
    assert not (tmp_path / "o").exists(), "--dry-run writes nothing"


def test_data_digits_command(tmp_path):
    result = run("data", "digits", tmp_path / "d", "--size", 16, "--per-class", 5, "--holdout", tmp_path / "h")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == [str(i) for i in range(10)]
    assert sum(1 for _ in (tmp_path / "d").rglob("*.png")) == 50
    assert sum(1 for _ in (tmp_path / "h").rglob("*.png")) == 1797 - 50
    assert_user_error(run("data", "digits", tmp_path / "d"), "already holds files")
