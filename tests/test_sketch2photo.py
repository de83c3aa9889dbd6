"""sketch2photo: sketch extraction and drawing clean-up, paired data, the recipe's any-size inference,
bad drawings reported by name, and the `sketch`, `sketch2photo`, `train --pairs` and `eval` commands."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from gantools.recipes.sketch2photo import drawing as sketch
from gantools.cli.main import main
from gantools.files.imageio import Decoded, ImageError
from gantools.data.pairs import PairedSquares, match_pairs


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def object_photo(size: int = 48, seed: int = 0) -> np.ndarray:
    """A coloured disc and bar on white: a cut-out object, as the training photos are."""
    rng = np.random.default_rng(seed)
    img = np.full((size, size, 3), 255, np.uint8)
    yy, xx = np.mgrid[:size, :size]
    c = rng.integers(size // 3, 2 * size // 3, 2)
    img[(yy - c[0]) ** 2 + (xx - c[1]) ** 2 < (size // 5) ** 2] = rng.integers(0, 200, 3)
    img[size // 6 : size // 6 + 4, 4:-4] = rng.integers(0, 200, 3)
    return img


def drawing(h: int = 60, w: int = 90, paper: int = 235, ink: int = 50, width: int = 2) -> np.ndarray:
    d = np.full((h, w), paper, np.uint8)
    d[10:50, 20 : 20 + width] = ink
    d[30 : 30 + width, 5:85] = ink
    return d


def test_xdog_and_canny_draw_dark_lines_on_white_along_edges():
    photo = object_photo(64)
    for style in sketch.STYLES:
        lines = sketch.extract(photo, style)
        assert lines.shape == photo.shape[:2] and lines.dtype == np.uint8
        assert np.median(lines) == 255  # paper stays white
        edges = np.abs(np.diff(photo.astype(int).sum(2), axis=1)) > 60
        assert (lines[:, 1:][edges] < 128).mean() > 0.3  # ink lies on the photo's edges
        assert (lines < 128).mean() < 0.3


def test_training_jitter_changes_the_lines():
    photo = object_photo(96)
    for style in sketch.STYLES:
        ink = [int((sketch.extract(photo, style, np.random.default_rng(s)) < 128).sum()) for s in range(8)]
        assert max(ink) > 1.2 * min(ink), (style, ink)  # thicker and thinner lines, not one drawing


def test_shaded_paper_becomes_white_and_lines_stay():
    d = drawing().astype(np.float32) * np.linspace(0.6, 1.0, 90)[None, :]  # a phone photo's shading
    clean, notes = sketch.normalise_drawing(d.astype(np.uint8))
    assert clean[55:, :].min() > 200  # paper: white from the dark end to the light end
    assert clean[10:50, 20:22].max() < 100 and clean[30:32, 5:85].max() < 100
    assert notes == []


def test_light_lines_on_dark_paper_are_inverted():
    clean, notes = sketch.normalise_drawing(255 - drawing())
    assert clean[0, 0] > 200 and clean[20, 20] < 100
    assert any("inverted" in n for n in notes)


def test_thick_lines_are_thinned_to_the_trained_width():
    clean, notes = sketch.normalise_drawing(drawing(120, 120, 255, 0, width=16))
    assert sketch.line_width(clean) <= sketch.MAX_LINE_WIDTH + 1
    assert any("thinned" in n for n in notes)


@pytest.mark.parametrize("tone", [0, 255, 128])
def test_flat_pictures_are_refused(tone):
    with pytest.raises(ImageError, match="nothing drawn"):
        sketch.normalise_drawing(np.full((30, 40), tone, np.uint8))


def test_pairs_are_matched_by_name_and_mismatched_shapes_skipped(tmp_path):
    a, b = tmp_path / "A", tmp_path / "B"
    (a / "sub").mkdir(parents=True)
    (b / "sub").mkdir(parents=True)
    Image.fromarray(drawing(40, 40)).save(a / "x.png")
    Image.fromarray(object_photo(80)).save(b / "x.jpg")  # same shape, twice the size: fine
    Image.fromarray(drawing(40, 40)).save(a / "sub" / "y.png")
    Image.fromarray(object_photo(40)[:, :20]).save(b / "sub" / "y.png")  # half as wide: skipped
    Image.fromarray(drawing(40, 40)).save(a / "lonely.png")
    Image.fromarray(object_photo(40)).save(b / "other.png")
    listing = match_pairs(a, b)
    assert listing.only_a == ["lonely"] and listing.only_b == ["other"]
    data = PairedSquares(listing, 32)
    assert len(data) == 1 and data[0][0].shape == (4, 32, 32)
    assert "different shapes" in listing.skipped[0][1]
    assert "lonely" in listing.describe()


def test_pairs_without_a_common_name_are_a_user_error(tmp_path):
    for side, name in (("A", "a.png"), ("B", "b.png")):
        (tmp_path / side).mkdir()
        Image.fromarray(object_photo(20)).save(tmp_path / side / name)
    result = invoke("train", "sketch2photo", "--pairs", tmp_path / "A", tmp_path / "B", "--out", tmp_path / "run")
    assert result.exit_code == 2 and "no file name is in both" in result.output


def test_pairs_for_a_recipe_without_paired_training_is_a_user_error(tmp_path):
    result = invoke("train", "dcgan", "--pairs", tmp_path, tmp_path, "--out", tmp_path / "run")
    assert result.exit_code == 2 and "--pairs is for recipes trained on paired images" in result.output


TINY = ["--batch-size", 2, "--size", 32, "--load-size", 40, "--base", 8, "--depth", 3, "--d-base", 8, "--render-size", 48, "--quiet"]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("s2p")
    photos = root / "photos"
    photos.mkdir()
    for i in range(4):
        Image.fromarray(object_photo(48, i)).save(photos / f"{i}.png")
    result = invoke("train", "sketch2photo", "--data", photos, "--out", root / "run", "--steps", 3, *TINY)
    assert result.exit_code == 0, result.output
    return root


def test_any_drawing_becomes_a_photo_of_its_size_and_bad_ones_are_reported(model, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(drawing(61, 97)).save(src / "odd size.png")
    Image.fromarray(drawing(300, 200)).save(src / "big.png")
    Image.fromarray(255 - drawing(20, 30)).save(src / "chalk.png")
    photo = object_photo(50)
    photo[20:30, 20:30] = (200, 30, 30)
    Image.fromarray(photo).save(src / "photo.jpg")
    tinted = np.dstack([drawing(40, 60, 240), drawing(40, 60, 222), drawing(40, 60, 196)])  # warm light on paper
    Image.fromarray(tinted).save(src / "tinted paper.jpg")
    Image.new("L", (30, 30), 255).save(src / "blank.png")
    Image.new("L", (30, 30), 0).save(src / "black.png")
    (src / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    la = np.dstack([drawing(40, 40), np.full((40, 40), 255, np.uint8)])
    Image.fromarray(la, "LA").save(src / "with alpha.png")
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    out = tmp_path / "out"
    result = invoke("sketch2photo", src, out, "--model", model / "run", "--quiet")
    assert result.exit_code == 1, result.output  # some inputs failed, the rest were done
    report = json.loads((out / "gantools-report.json").read_text())
    failed = {Path(f["file"]).name: f["reason"] for f in report["failed"]}
    assert set(failed) == {"blank.png", "black.png", "broken.png"}
    assert "blank" in failed["blank.png"] and "black" in failed["black.png"]
    notes = {Path(n["file"]).name: " ".join(n["notes"]) for n in report["notes"]}
    assert "colour photo" in notes["photo.jpg"] and "inverted" in notes["chalk.png"]
    assert "tinted paper.jpg" not in notes  # a drawing, though not on white
    for name, size in (("odd size.png", (97, 61)), ("big.png", (200, 300)), ("chalk.png", (30, 20)), ("photo.jpg", (50, 50)),
                       ("with alpha.png", (40, 40)), ("tinted paper.jpg", (60, 40))):
        with Image.open(out / name) as im:
            assert im.size == size and im.mode == "RGB", name
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before  # inputs untouched


def test_sketch_command_writes_gray_drawings(model, tmp_path):
    src = tmp_path / "photos"
    src.mkdir()
    Image.fromarray(object_photo(40)).save(src / "a.png")
    for style in ("xdog", "canny"):
        result = invoke("sketch", src, tmp_path / style, "--style", style, "--quiet")
        assert result.exit_code == 0, result.output
        with Image.open(tmp_path / style / "a.png") as im:
            assert im.mode == "L" and im.size == (40, 40)


def test_paired_training_and_eval(model, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        Image.fromarray(object_photo(48, 10 + i)).save(photos / f"p{i}.png")
    assert invoke("sketch", photos, tmp_path / "A", "--quiet").exit_code == 0
    (tmp_path / "A" / "gantools-report.json").unlink()
    result = invoke("train", "sketch2photo", "--pairs", tmp_path / "A", photos, "--out", tmp_path / "run", "--steps", 2, *TINY)
    assert result.exit_code == 0, result.output
    assert "3 pairs" in result.output
    from gantools.train import provenance

    both = {provenance.digest(f) for f in [*photos.glob("*.png"), *(tmp_path / "A").glob("*.png")]}
    assert len(both) == 6 and provenance.seen_by(tmp_path / "run" / "model.safetensors") == both  # drawings and photos
    result = invoke("eval", "sketch2photo", "--data", photos, "--model", tmp_path / "run", "--json", tmp_path / "e.json")
    assert result.exit_code == 0, result.output
    scores = json.loads((tmp_path / "e.json").read_text())
    assert len(scores["rows"]) == 3 and 0 < scores["summary"]["psnr"] < 100
    summary = scores["summary"]
    assert "fid" in summary and "kid_x100" in summary and "kid_x100_drawings" in summary
    # The drawing-respect figures: a photo's own jittered drawing matches its plain one (a two-step model's output
    # does not yet draw the lines).
    assert all(0.9 < r["edge_f_photo"] <= 1.0 and 0.0 <= r["edge_f"] < 0.9 for r in scores["rows"])
    assert summary["edge_f_ratio"] == pytest.approx(summary["edge_f"] / summary["edge_f_photo"])
    assert summary["colourfulness_ratio"] == pytest.approx(summary["colourfulness"] / summary["colourfulness_truth"])
    assert summary["colour_spread_ratio"] == pytest.approx(summary["colour_spread"] / summary["colour_spread_truth"])
    assert all(r["colourfulness"] == pytest.approx(r["colour_spread"] + 0.3 * r["colour_cast"]) for r in scores["rows"])
    assert 0.0 <= summary["hue_distance"] <= 1.0
    assert all(len(shares) == 12 and sum(shares) == pytest.approx(1.0, abs=1e-3) for shares in scores["hue_shares"].values())
    assert set(scores["checks"]) >= {"colourfulness at least 0.7x the photos'", "drawing respected: edge F at least 0.8x a photo's own jittered drawing"}


def test_the_perceptual_term_trains_sketch2photo_and_stays_out_of_the_model(tmp_path):
    from safetensors.torch import load_file

    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(2):
        Image.fromarray(object_photo(48, 20 + i)).save(photos / f"{i}.png")
    out = tmp_path / "run"
    result = invoke("train", "sketch2photo", "--data", photos, "--out", out, "--steps", 2, *TINY,
                    "--perceptual-weight", 5, "--perceptual-stage", "conv_4")
    assert result.exit_code == 0, result.output
    card = json.loads((out / "model.json").read_text())
    assert card["perceptual_teacher"]["what"].startswith("InceptionV3 (ImageNet) stages conv..conv_4")
    assert all(k.startswith("G.") for k in load_file(str(out / "model.safetensors")))
    last = json.loads((out / "metrics.jsonl").read_text().splitlines()[-1])
    assert last["loss_g_perceptual"] > 0 and last["loss_g_l1"] > 0
    bad = invoke("train", "sketch2photo", "--data", photos, "--out", tmp_path / "bad", "--perceptual-stage", "mixed_9")
    assert bad.exit_code == 2 and "perceptual_stage" in bad.output


def test_chroma_weight_leaves_colour_to_the_discriminator():
    import torch

    from gantools.recipes.sketch2photo.recipe import Sketch2PhotoConfig, Sketch2PhotoRecipe, split_luma
    from gantools.train.two_player import Pair

    target = torch.rand(2, 3, 16, 16) * 2 - 1
    luma, colour = split_luma(target)
    recoloured = luma - colour  # the same brightness, the opposite colours
    pair = Pair((torch.zeros(2, 1, 16, 16),), target)
    plain = Sketch2PhotoRecipe(Sketch2PhotoConfig(l1_weight=1.0))
    blind = Sketch2PhotoRecipe(Sketch2PhotoConfig(l1_weight=1.0, chroma_weight=0.0))
    half = Sketch2PhotoRecipe(Sketch2PhotoConfig(l1_weight=1.0, chroma_weight=0.5))
    assert plain.reconstruction(recoloured, pair)["l1"] > 0.1
    assert float(blind.reconstruction(recoloured, pair)["l1"]) == pytest.approx(0.0, abs=1e-6)
    assert float(half.reconstruction(recoloured, pair)["l1"]) == pytest.approx(float((2 * colour).abs().mean() / 2), rel=1e-5)
    with pytest.raises(ValueError, match="chroma_weight"):
        Sketch2PhotoConfig(chroma_weight=1.5)


def test_photo_fit_and_eval_fit_pad_with_paper_or_crop_the_centre(model, tmp_path):
    """A wide photo becomes a training square either whole on white paper (pad, the default) or as its centre
    (crop, no paper); the eval's `fit` does the same to held-out photos."""
    from gantools.recipes.sketch2photo.recipe import Sketch2PhotoConfig, Sketch2PhotoEvalConfig, Sketch2PhotoRecipe

    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 200, (30, 90, 3), dtype=np.uint8)).save(photos / f"wide{i}.png")
    padded = Sketch2PhotoRecipe(Sketch2PhotoConfig(load_size=40, size=32, depth=3)).dataset(photos)[0][0]
    cropped = Sketch2PhotoRecipe(Sketch2PhotoConfig(load_size=40, size=32, depth=3, photo_fit="crop")).dataset(photos)[0][0]
    assert padded.shape == cropped.shape == (3, 40, 40)
    assert (padded[:, :5] == 255).all() and (cropped[:, :5] < 250).float().mean() > 0.95  # paper above the photo, or none
    with pytest.raises(ValueError, match="photo_fit"):
        Sketch2PhotoConfig(photo_fit="stretch")
    with pytest.raises(ValueError, match="fit must be"):
        Sketch2PhotoEvalConfig(fit="stretch")
    results = {}
    for fit in ("pad", "crop"):
        result = invoke("eval", "sketch2photo", "--data", photos, "--model", model / "run", "--fit", fit, "--json", tmp_path / f"{fit}.json")
        assert result.exit_code == 0, result.output
        results[fit] = json.loads((tmp_path / f"{fit}.json").read_text())["summary"]
    assert results["pad"]["colourfulness_truth"] != results["crop"]["colourfulness_truth"]  # paper is gray: it lowers the photos' colour


def test_d_layers_widens_what_the_discriminator_sees():
    import torch

    from gantools.recipes.sketch2photo.recipe import Sketch2PhotoConfig, Sketch2PhotoRecipe

    def judged_pixels(layers: int) -> int:
        """How far one output of D reaches: the input rows whose change moves the middle patch's score."""
        d = Sketch2PhotoRecipe(Sketch2PhotoConfig(d_layers=layers)).build_discriminator()
        x = torch.zeros(1, 4, 160, 160, requires_grad=True)
        out = d(x)
        out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
        return int((x.grad.abs().sum(dim=(0, 1)) > 0).any(dim=0).sum())

    assert judged_pixels(3) < 128 <= judged_pixels(4)  # 4 layers see the whole 128-px training crop
    with pytest.raises(ValueError, match="d_layers"):
        Sketch2PhotoConfig(d_layers=0)


def test_the_hue_term_asks_for_how_much_of_each_colour_not_where():
    import torch

    from gantools.recipes.sketch2photo.hues import BINS, hue_loss, soft_hue_histogram
    from gantools.recipes.sketch2photo.recipe import Sketch2PhotoConfig, Sketch2PhotoRecipe
    from gantools.train.two_player import Pair

    photo = torch.full((1, 3, 8, 8), -0.2)
    photo[:, :, :4] = torch.tensor([-0.6, -0.1, 0.7]).view(1, 3, 1, 1)  # blue sky over a gray ground
    moved = photo.flip(2)  # the same colours in other places
    brown = torch.tensor([0.2, -0.1, -0.5]).view(1, 3, 1, 1).expand(1, 3, 8, 8)
    hist = soft_hue_histogram(photo)
    assert hist.shape == (1, BINS) and float(soft_hue_histogram(torch.zeros(1, 3, 4, 4)).sum()) < 1e-3  # gray: no colour
    assert float(hue_loss(moved, photo)) < 1e-6 < float(hue_loss(brown, photo))
    fake = brown.clone().requires_grad_(True)
    hue_loss(fake, photo).backward()
    assert fake.grad.abs().sum() > 0
    recipe = Sketch2PhotoRecipe(Sketch2PhotoConfig(l1_weight=1.0, chroma_weight=0.1, hue_weight=2.0))
    terms = recipe.reconstruction(brown, Pair((torch.zeros(1, 1, 8, 8),), photo))
    assert float(terms["hue"]) == pytest.approx(2.0 * float(hue_loss(brown, photo)))
    assert "hue" not in Sketch2PhotoRecipe(Sketch2PhotoConfig()).reconstruction(brown, Pair((torch.zeros(1, 1, 8, 8),), photo))
    with pytest.raises(ValueError, match="hue_weight"):
        Sketch2PhotoConfig(hue_weight=-1)


def test_the_data_hue_target_asks_for_the_photos_mean_mix_and_survives_a_checkpoint():
    import torch

    from gantools.recipes.sketch2photo.hues import soft_hue_histogram
    from gantools.recipes.sketch2photo.recipe import Sketch2PhotoConfig, Sketch2PhotoRecipe
    from gantools.train.two_player import Pair

    blue = torch.tensor([-0.6, -0.1, 0.7]).view(1, 3, 1, 1).expand(1, 3, 8, 8)
    brown = torch.tensor([0.2, -0.1, -0.5]).view(1, 3, 1, 1).expand(1, 3, 8, 8)
    photos = torch.cat([blue, brown, brown, brown])  # one sky in four photos
    recipe = Sketch2PhotoRecipe(Sketch2PhotoConfig(l1_weight=1.0, chroma_weight=0.1, hue_weight=1.0, hue_target="data"))
    pair = Pair((torch.zeros(4, 1, 8, 8),), photos)
    all_brown = float(recipe.reconstruction(torch.cat([brown] * 4), pair)["hue"])
    same_mix = float(recipe.reconstruction(photos.flip(0), pair)["hue"])  # the sky drawn in another image
    assert same_mix < 1e-6 < all_brown  # matched per image (hue_target photo), the moved sky would cost twice as much
    state = recipe.state_dict()
    again = Sketch2PhotoRecipe(recipe.config)
    again.load_state_dict(state)
    assert torch.allclose(again.running_hues.mean, soft_hue_histogram(photos).mean(0))
    with pytest.raises(ValueError, match="hue_target"):
        Sketch2PhotoConfig(hue_target="sky")


def test_colour_codes_join_the_drawing_and_are_the_drawings_own():
    import torch
    from gantools.recipes.sketch2photo import codes

    d = drawing()
    a, again, other_seed = codes.code_for(d, 0, 8), codes.code_for(d, 0, 8), codes.code_for(d, 1, 8)
    d2 = d.copy()
    d2[0, 0] = 0
    assert torch.equal(a, again) and not torch.equal(a, other_seed) and not torch.equal(a, codes.code_for(d2, 0, 8))
    x = codes.with_code(torch.zeros(2, 1, 5, 7), torch.stack([a, other_seed]))
    assert x.shape == (2, 9, 5, 7) and torch.equal(x[1, 1:, 4, 6], other_seed)
    # The diversity term pushes two codes' photos apart only until they differ by the cap.
    same, apart = torch.zeros(1, 3, 4, 4), torch.ones(1, 3, 4, 4)
    assert codes.mode_seeking(same, same, a, other_seed, 0.1) == 0
    assert codes.mode_seeking(same, apart, a, other_seed, 0.1) == pytest.approx(-0.1)
    # "within": a tint over the whole photo is not a difference; colour that moves within it is.
    assert codes.mode_seeking(same, apart, a, other_seed, 0.1, within=True) == 0
    moved = torch.zeros(1, 3, 4, 4)
    moved[..., :2, :] = 1
    assert codes.mode_seeking(same, moved, a, other_seed, 10.0, within=True) < 0


def test_a_coded_model_trains_with_the_diversity_term_and_code_seed_varies_its_photo(tmp_path):
    """code_dims: G takes the drawing plus a code; the diversity term is logged; at inference the same drawing gives
    the same photo, another code_seed another one, and the ONNX graph's input carries the code channels."""
    import torch
    from gantools.files import weights
    from gantools.infer import options

    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(2):
        Image.fromarray(object_photo(48, 30 + i)).save(photos / f"{i}.png")
    out = tmp_path / "run"
    result = invoke("train", "sketch2photo", "--data", photos, "--out", out, "--steps", 3, *TINY, "--code-dims", 4,
                    "--log-every", 1)
    assert result.exit_code == 0, result.output
    assert '"loss_g_diversity"' in (out / "metrics.jsonl").read_text()
    loaded = weights.load(out, expect_recipe="sketch2photo")
    predictor = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    first, second = (predictor.predict(Decoded(drawing())).pixels for _ in range(2))
    options.apply(loaded.recipe, {"code_seed": 7})
    reseeded = loaded.recipe.predictor(loaded.networks, torch.device("cpu")).predict(Decoded(drawing())).pixels
    assert first.shape == (60, 90, 3) and np.array_equal(first, second) and not np.array_equal(first, reseeded)
    graph, example, _ = predictor.onnx_graph()
    assert example[0].shape[1] == 5 and graph(example[0]).shape[1] == 3
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(drawing()).save(src / "d.png")
    for seed in (0, 7):
        ran = invoke("sketch2photo", src, tmp_path / f"out{seed}", "--model", out, "--code-seed", seed, "--quiet")
        assert ran.exit_code == 0, ran.output
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out7" / "d.png")), reseeded)
    # A model without codes has nothing to seed: one line, exit code 2.
    plain = invoke("sketch2photo", src, tmp_path / "plain", "--code-seed", 3, "--quiet")
    assert plain.exit_code == 2 and "code_seed needs a model trained with code_dims" in plain.stderr


def test_colour_balance_takes_out_the_midtones_cast_keeps_white_and_scales_chroma():
    from gantools.recipes.sketch2photo.colour_balance import balance_colour

    warm = np.full((20, 60, 3), 255, np.uint8)  # the right third: white paper
    warm[:, :20] = (160, 110, 60)  # a brown thing
    warm[:, 20:40] = (120, 115, 100)  # a gray-blue sky, warmed by the cast
    lab = lambda rgb: cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    assert balance_colour(warm, 0.0, 1.0) is warm
    balanced = balance_colour(warm, 1.0, 1.0)
    assert np.abs(lab(balanced)[:, :40, 1:].reshape(-1, 2).mean(0)).max() < 3.0  # the midtones' cast is gone
    assert lab(balanced)[0, 30, 2] < 0  # the less warm area turns blue (b* < 0)
    assert (balanced[:, 40:] == 255).all()  # white stays white
    assert np.allclose(lab(balanced)[..., 0], lab(warm)[..., 0], atol=1.0)  # brightness kept
    twice = lab(balance_colour(warm, 0.0, 2.0))
    assert np.allclose(twice[:, 20:40, 1:], 2 * lab(warm)[:, 20:40, 1:], atol=1.0)


def test_white_balance_and_saturation_are_inference_options(model, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(drawing(60, 90)).save(src / "d.png")
    outs = {}
    for name, flags in (("plain", ["--white-balance", 0, "--saturation", 1]), ("balanced", ["--white-balance", 1, "--saturation", 1.5])):
        result = invoke("sketch2photo", src, tmp_path / name, "--model", model / "run", *flags, "--quiet")
        assert result.exit_code == 0, result.output
        outs[name] = np.asarray(Image.open(tmp_path / name / "d.png"))
    assert not np.array_equal(outs["plain"], outs["balanced"])
    for bad, why in ((["--white-balance", 1.5], "white_balance must be between 0 and 1"), (["--saturation", -1], "saturation must be between 0 and 4")):
        result = invoke("sketch2photo", src, tmp_path / "bad", "--model", model / "run", *bad, "--quiet")
        assert result.exit_code == 2 and why in result.stderr


def test_the_height_channel_follows_the_crop_in_training_and_the_centred_drawing_at_inference():
    import torch

    from gantools.recipes.sketch2photo.position import height_channel, with_height
    from gantools.recipes.sketch2photo.recipe import Sketch2PhotoConfig, Sketch2PhotoRecipe

    ramp = height_channel(2, 4, 3, top=0, side=4)
    assert ramp.shape == (2, 1, 4, 3) and torch.allclose(ramp[0, 0, :, 0], torch.tensor([-0.75, -0.25, 0.25, 0.75]))
    assert torch.equal(with_height(torch.zeros(1, 1, 2, 2), 2, 4)[0, 1, :, 0], torch.tensor([0.25, 0.75]))
    recipe = Sketch2PhotoRecipe(Sketch2PhotoConfig(size=32, load_size=48, depth=3, base=8, d_base=8, position=True))
    g, d = recipe.build_generator(), recipe.build_discriminator()
    assert g(torch.zeros(1, 2, 32, 32)).shape == (1, 3, 32, 32) and d(torch.zeros(1, 5, 32, 32)).ndim == 4
    photos = torch.from_numpy(np.stack([object_photo(48, i) for i in range(2)])).permute(0, 3, 1, 2)
    torch.manual_seed(3)
    pair = recipe.make_pair((photos, None), torch.device("cpu"))
    torch.manual_seed(3)
    _, top = recipe._crop(photos)  # the same crop again
    assert pair.condition[0].shape == (2, 2, 32, 32)
    assert torch.equal(pair.condition[0][:, 1:], height_channel(2, 32, 32, top, 48))
    # At inference a wide drawing sits in the middle band of its square, as a wide photo did in training.
    job = recipe.predictor({"G": g}, torch.device("cpu")).prepare(Decoded(drawing(30, 60)))
    heights = job.input[1, : job.state[2], 0]
    assert job.input.shape[0] == 2 and heights[0] > -0.6 and heights[-1] < 0.6 and torch.all(heights[1:] > heights[:-1])


def test_a_position_model_trains_and_colours_drawings(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(2):
        Image.fromarray(object_photo(48, 40 + i)).save(photos / f"{i}.png")
    result = invoke("train", "sketch2photo", "--data", photos, "--out", tmp_path / "run", "--steps", 2, *TINY, "--set", "position=true")
    assert result.exit_code == 0, result.output
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(drawing(61, 97)).save(src / "d.png")
    ran = invoke("sketch2photo", src, tmp_path / "out", "--model", tmp_path / "run", "--quiet")
    assert ran.exit_code == 0, ran.output
    assert np.asarray(Image.open(tmp_path / "out" / "d.png")).shape == (61, 97, 3)


def test_d_minibatch_std_lets_the_discriminator_see_its_batch():
    import torch

    from gantools.recipes.sketch2photo.recipe import Sketch2PhotoConfig, Sketch2PhotoRecipe

    def score_of_first(d, batch):
        with torch.no_grad():
            return d(batch)[0]

    torch.manual_seed(0)
    batch = torch.randn(4, 4, 64, 64)
    other = batch.clone()
    other[1:] = torch.randn(3, 4, 64, 64) * 3  # the rest of the batch changes, the first image does not
    for on in (False, True):
        d = Sketch2PhotoRecipe(Sketch2PhotoConfig(d_minibatch_std=on)).build_discriminator().eval()  # spectral norm fixed
        same = torch.allclose(score_of_first(d, batch), score_of_first(d, other))
        assert same != on


def test_colour_marks_are_read_off_the_drawing_and_only_when_asked():
    import torch

    from gantools.recipes.sketch2photo import colour_marks
    from gantools.recipes.sketch2photo.recipe import Sketch2PhotoConfig, Sketch2PhotoRecipe

    marked = np.dstack([drawing(64, 96)] * 3)
    marked[40:48, 60:70] = (40, 90, 220)  # a blue mark, on paper
    marked[30:32, 60:70] = (40, 90, 220)  # and one over a line
    gray, colour, mask = colour_marks.read_marks(marked)
    assert mask.sum() == 8 * 10 + 2 * 10 and mask[44, 65] == 1 and mask[20, 21] == 0  # pencil lines are not marks
    assert gray[44, 65] == 255 and gray[31, 50] < 128  # marks become paper; the line beside them stays
    assert np.allclose(colour[44, 65], np.array([40, 90, 220]) / 255.0) and not colour[20, 21].any()
    small_colour, small_mask = colour_marks.resize_marks(colour, mask, 48, 32)
    assert small_mask[22, 32] == 1 and small_mask[5, 5] == 0 and np.allclose(small_colour[22, 32], colour[44, 65])
    recipe = Sketch2PhotoRecipe(Sketch2PhotoConfig(size=32, load_size=48, depth=3, base=8, d_base=8, render_size=48))
    g = recipe.build_generator()
    ignored = recipe.predictor({"G": g}, torch.device("cpu")).prepare(Decoded(marked))
    assert ignored.state[5] is None and ignored.input[0, 22, 32] < 1  # without the option a mark is just dark ink
    recipe.config.colour_marks = True
    job = recipe.predictor({"G": g}, torch.device("cpu")).prepare(Decoded(marked))
    assert job.input[0, 22, 32] == 1 and job.state[5][1][22, 32] == 1  # G sees paper there; the mark waits for finish
    assert any("colour marks read" in note for note in job.state[4])


def test_a_mark_colours_what_it_sits_on_and_lines_hold_it_back():
    from gantools.recipes.sketch2photo import colour_marks

    photo = np.full((40, 60, 3), (150, 140, 120), np.uint8)  # G's warm gray
    photo[:, 29:31] = 115  # the drawn line, faint in G's photo
    lines = np.zeros((40, 60), bool)
    lines[:, 29:31] = True
    colour = np.zeros((40, 60, 3), np.float32)
    mask = np.zeros((40, 60), np.float32)
    colour[18:23, 22:27] = (0.2, 0.4, 0.9)
    mask[18:23, 22:27] = 1
    near = lambda img: img[14:27, 18:28].reshape(-1, 3).mean(0)  # noqa: E731  around the mark
    across = lambda img: img[14:27, 31:36].reshape(-1, 3).mean(0)  # noqa: E731  just past the line
    short = colour_marks.spread_marks(photo, lines, colour, mask, reach=8.0).astype(int)
    assert near(short)[2] > near(short)[0] + 60  # blue around the mark
    assert np.abs(across(short) - across(photo.astype(int))).max() < 3  # the line holds it back: G's colour stays
    long = colour_marks.spread_marks(photo, lines, colour, mask, reach=300.0).astype(int)
    assert long[2:38, 2:26, 2].mean() - long[2:38, 2:26, 0].mean() > 100  # a long reach fills the region
    lab_in = cv2.cvtColor(photo, cv2.COLOR_RGB2Lab)[..., 0].astype(int)
    assert np.abs(cv2.cvtColor(long.astype(np.uint8), cv2.COLOR_RGB2Lab)[..., 0].astype(int) - lab_in).max() <= 3  # G's brightness kept
    paper = colour_marks.spread_marks(np.full_like(photo, 250), lines, colour, mask, reach=300.0).astype(int)
    assert (paper.max(2) - paper.min(2))[mask == 0].max() < 25  # white paper stays near white
    assert colour_marks.spread_marks(photo, lines, colour, np.zeros_like(mask), 300.0) is photo  # no marks: untouched


def test_colour_marks_from_the_command_line_and_eval_simulates_them(model, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    marked = np.dstack([drawing(61, 97)] * 3)
    marked[40:50, 60:75] = (40, 90, 220)
    Image.fromarray(marked).save(src / "d.png")
    outs = {}
    for name, extra in (("plain", []), ("marks", ["--colour-marks"]), ("near", ["--colour-marks", "--mark-reach", 2])):
        ran = invoke("sketch2photo", src, tmp_path / name, "--model", model / "run", *extra, "--quiet")
        assert ran.exit_code == 0, ran.output
        outs[name] = np.asarray(Image.open(tmp_path / name / "d.png")).astype(int)
    assert outs["marks"].shape == (61, 97, 3)
    blue = lambda img: float((img[..., 2] - img[..., 0]).mean())  # noqa: E731
    assert blue(outs["marks"]) > blue(outs["near"]) > blue(outs["plain"])
    assert "colour marks read" in (tmp_path / "marks" / "gantools-report.json").read_text()
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        Image.fromarray(object_photo(48, 50 + i)).save(photos / f"{i}.png")
    scored = invoke("eval", "sketch2photo", "--data", photos, "--model", model / "run", "--marks", 4, "--json", tmp_path / "e.json")
    assert scored.exit_code == 0, scored.output
    result = json.loads((tmp_path / "e.json").read_text())
    assert result["eval_settings"]["marks"] == 4 and "marks_note" in result
    refused = invoke("sketch2photo", src, tmp_path / "x", "--model", model / "run", "--colour-marks", "--mark-reach", 0, "--quiet")
    assert refused.exit_code == 2 and "mark_reach must be between 1 and 10000" in refused.stderr
