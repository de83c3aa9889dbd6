"""The colorize recipe: Lab pairs, ab bins, the teacher's weights, training through the shared trainer,
and a predictor that keeps size, bit depth, alpha and luminance and reports its colour confidence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image
from skimage import color

from gantools.files import weights
from gantools.cli.main import main
from gantools.files.imageio import Decoded
from gantools.recipes.colorize import lab_tensor_to_rgb, rgb_to_lab, rgb_to_lab_tensor


def test_lab_round_trip():
    rgb = np.random.default_rng(0).integers(0, 255, (9, 7, 3), dtype=np.uint8)
    lab = rgb_to_lab_tensor(rgb)
    assert lab.shape == (3, 9, 7) and lab.abs().max() <= 1.0
    assert np.abs(lab_tensor_to_rgb(lab) * 255 - rgb).max() < 1.0  # OpenCV's float Lab is good to ~0.6/255


def test_lab_matches_scikit_image():
    from skimage import color

    rgb = np.random.default_rng(1).random((16, 16, 3)).astype(np.float32)
    assert np.abs(rgb_to_lab(rgb) - color.rgb2lab(rgb)).max() < 0.5  # same CIE Lab (D65), in L/a/b units


@pytest.fixture
def colour_photos(tmp_path):
    root = tmp_path / "photos"
    root.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        img = np.zeros((80, 120, 3), np.uint8)
        img[:40] = (40, 90, 200)  # sky
        img[40:] = (60, 150, 50)  # grass
        img += rng.integers(0, 20, img.shape, dtype=np.uint8)
        Image.fromarray(img).save(root / f"p{i}.png")
    return root


@pytest.fixture
def colour_model(colour_photos, tmp_path):
    out = tmp_path / "run"
    args = ["train", "colorize", "--data", colour_photos, "--out", out, "--steps", 4, "--batch-size", 4,
            "--size", 160, "--load-size", 192, "--photo-scales", "192,224", "--base", 8, "--quiet"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return weights.load(out, expect_recipe="colorize")


def test_predictor_keeps_size_depth_alpha_and_luminance(colour_model):
    predictor = colour_model.recipe.predictor(colour_model.networks, torch.device("cpu"))
    rng = np.random.default_rng(1)
    rgb16 = rng.integers(0, 65535, (37, 23, 3), dtype=np.uint16)
    out = predictor.predict(Decoded(rgb16))
    assert out.pixels.shape == (37, 23, 3) and out.pixels.dtype == np.uint16
    L_in = color.rgb2lab(rgb16 / 65535.0)[..., 0]
    L_out = color.rgb2lab(out.pixels / 65535.0)[..., 0]
    # Colours outside sRGB get clipped, which can move L a little; the detail must stay the input's.
    assert np.median(np.abs(L_in - L_out)) < 1.0

    gray = rng.integers(0, 255, (5, 301), dtype=np.uint8)
    alpha = np.full((5, 301), 128, np.uint8)
    out = predictor.predict(Decoded(gray, alpha))
    assert out.pixels.shape == (5, 301, 3) and out.pixels.dtype == np.uint8 and out.alpha is alpha
    tiny = predictor.predict(Decoded(np.zeros((1, 1, 3), np.uint8)))
    assert tiny.pixels.shape == (1, 1, 3)
    assert any(n.startswith("colour confidence ") for n in tiny.notes)


def test_ab_bins_encode_and_decode():
    from gantools.recipes.colorize import bins

    centres = bins.gamut_bins()
    assert 200 < centres.shape[0] < 320 and centres.abs().max() <= 130
    # the bundled model's 256 outputs are these cells in this order: rows sorted by a, then b, each a multiple of 10
    assert centres.shape[0] == 256 and torch.equal(centres, (centres / 10).round() * 10)
    keys = centres[:, 0] * 1000 + centres[:, 1]
    assert torch.equal(keys, keys.sort().values) and len(keys.unique()) == 256
    assert centres[0].tolist() == [-90.0, 80.0] and centres[:, 1].min() == -110  # a first (green), b second (blue)
    ab = torch.tensor([[-20.0, 35.0], [0.0, 0.0], [41.0, -12.0]]).T.reshape(1, 2, 3, 1)
    target = bins.soft_targets(ab, centres)
    assert torch.allclose(target.sum(1), torch.ones(1, 3, 1)) and (target > 0).sum(1).max() == 5
    mean, confidence = bins.decode(torch.log(target + 1e-12), centres, 1.0)
    assert (mean - ab).abs().max() < 1.5 and confidence.min() > 0.6
    unsure, low = bins.decode(torch.zeros(1, centres.shape[0], 2, 2), centres, 1.0)
    assert low.max() < 1e-4  # a flat distribution: no confidence at all
    # Two bins at 0.7 / 0.3: the annealed mean weighs them p ** (1 / T), renormalised.
    logits = torch.full((1, centres.shape[0], 1, 1), -1e4)
    logits[0, 0], logits[0, 1] = np.log(0.7), np.log(0.3)
    for t in (1.0, 0.5, 0.2):
        w = torch.tensor([0.7, 0.3]) ** (1 / t)
        expected = (w[:, None] * centres[:2]).sum(0) / w.sum()
        got, _ = bins.decode(logits, centres, t)
        assert torch.allclose(got[0, :, 0, 0], expected, atol=1e-4), t
    _, strided = bins.decode(torch.zeros(2, centres.shape[0], 8, 6), centres, 1.0, confidence_stride=2)
    assert strided.shape == (2, 1, 4, 3)


def test_in_place_decoding_matches_the_plain_one_at_any_scale():
    from gantools.recipes.colorize import bins

    centres = bins.gamut_bins()
    g = torch.Generator().manual_seed(0)
    # Ordinary logits, huge ones (exp overflows unless the maximum is taken off first) and a cold temperature.
    for scale, t in ((3.0, 0.6), (300.0, 0.6), (3.0, 0.05), (-1e4, 1.0)):
        logits = (torch.randn(2, 6, 5, centres.shape[0], generator=g) * scale).permute(0, 3, 1, 2)  # channels_last, as the net gives
        ab, conf = bins.decode(logits, centres, t, confidence_stride=2)
        fast, fast_conf = bins.decode(logits.clone(), centres, t, confidence_stride=2, overwrite=True)
        assert torch.isfinite(fast).all() and fast.is_contiguous(), (scale, t)
        assert (fast - ab).abs().max() < 1e-3 and torch.equal(fast_conf, conf), (scale, t)
    kept = torch.randn(1, centres.shape[0], 2, 2, requires_grad=True)
    before = kept.detach().clone()
    bins.decode(kept, centres, 0.6, overwrite=True)  # a tensor that needs gradients is never written over
    assert torch.equal(kept.detach(), before)


def test_teacher_folding_matches_conv_then_batch_norm():
    import torch.nn.functional as F
    from gantools.nets.inception_trunk import BN_EPS, InceptionTrunk, fold_torchscript

    trunk = InceptionTrunk("pool1")
    g = torch.Generator().manual_seed(0)
    raw = {}
    for key, value in trunk.state_dict().items():
        base = key.rsplit(".conv.", 1)[0]
        if key.endswith("weight"):
            raw[f"{base}.weight"] = torch.randn(value.shape, generator=g) * 0.1
        else:
            n = value.shape[0]
            raw[f"{base}.beta"], raw[f"{base}.mean"] = torch.randn(n, generator=g), torch.randn(n, generator=g)
            raw[f"{base}.var"] = torch.rand(n, generator=g) + 0.1
    trunk.load_state_dict(fold_torchscript(raw, trunk))
    x = torch.randn(1, 3, 80, 80, generator=g)
    y = x
    for name, stride, pad in (("conv", 2, 0), ("conv_1", 1, 0), ("conv_2", 1, 1), ("pool0", 0, 0), ("conv_3", 1, 0), ("conv_4", 1, 0), ("pool1", 0, 0)):
        if name.startswith("pool"):
            y = F.max_pool2d(y, 3, 2)
            continue
        w, b, m, v = (raw[f"layers.{name}.{k}"] for k in ("weight", "beta", "mean", "var"))
        y = F.relu(F.batch_norm(F.conv2d(y, w, None, stride, pad), m, v, None, b, False, 0.0, BN_EPS))
    with torch.no_grad():
        assert torch.allclose(trunk(x)[0], y, atol=1e-4)


def test_teacher_is_stored_in_half_precision_and_frozen(colour_model, tmp_path):
    from safetensors.torch import load_file

    state = load_file(str(colour_model.path))
    assert state["T.layers.conv.conv.weight"].dtype == torch.float16 and state["G.head.weight"].dtype == torch.float32
    assert colour_model.networks["T"].layers.conv.conv.weight.dtype == torch.float32
    bundled = weights.load("colorize", expect_recipe="colorize").networks["T"]
    trained = colour_model.networks["T"]
    # Training never moves the teacher: the run's T is the ImageNet one, as the bundled model stores it
    # (to float16 rounding; four Adam steps would move weights by ~1e-3, far more).
    for (k, a), b in zip(trained.state_dict().items(), bundled.state_dict().values()):
        assert torch.allclose(a, b, rtol=1e-3, atol=1e-7), k


def test_without_fid_helper_the_teacher_comes_from_the_bundled_model(monkeypatch):
    from gantools.metrics import inception
    from gantools.recipes.colorize import recipe as module

    monkeypatch.setattr(inception, "weights_file", lambda: None)
    recipe = module.ColorizeRecipe(module.ColorizeConfig())
    nets = recipe.build()
    recipe.pretrained(nets)
    assert "bundled colorize model" in recipe.teacher_source
    bundled = weights.load("colorize", expect_recipe="colorize").networks["T"]
    assert torch.equal(nets["T"].layers.mixed_6.conv.conv.weight, bundled.layers.mixed_6.conv.conv.weight)


def test_size_multiple_pads_to_few_working_sizes_and_crops_back(colour_model):
    from gantools.errors import UserError
    from gantools.infer import options

    options.apply(colour_model.recipe, {"size_multiple": 64})
    predictor = colour_model.recipe.predictor(colour_model.networks, torch.device("cpu"))
    for h, w in ((37, 23), (300, 41), (90, 250)):
        job = predictor.prepare(Decoded(np.zeros((h, w, 3), np.uint8)))
        assert job.input.shape[-2] % 64 == 0 and job.input.shape[-1] % 64 == 0
        assert predictor.predict(Decoded(np.zeros((h, w, 3), np.uint8))).pixels.shape == (h, w, 3)
    with pytest.raises((UserError, ValueError), match="size_multiple must be a multiple of 32"):
        options.apply(colour_model.recipe, {"size_multiple": 48})


@pytest.mark.parametrize("dtype, peak", [(np.uint8, 255), (np.uint16, 65535)])
def test_gray_files_take_a_lookup_for_L_with_the_same_output(colour_model, dtype, peak):
    predictor = colour_model.recipe.predictor(colour_model.networks, torch.device("cpu"))
    gray = np.random.default_rng(2).integers(0, peak, (41, 67), dtype=dtype)
    as_gray = predictor.predict(Decoded(gray)).pixels
    as_rgb = predictor.predict(Decoded(np.repeat(gray[..., None], 3, axis=2))).pixels
    assert as_gray.dtype == dtype and np.abs(as_gray.astype(np.int64) - as_rgb.astype(np.int64)).max() <= peak // 255


def test_rebalancing_weighs_rare_colours_up():
    from gantools.recipes.colorize import bins

    centres = bins.gamut_bins()
    counts = torch.zeros(centres.shape[0])
    neutral = int(centres.norm(dim=1).argmin())
    vivid = int(centres.norm(dim=1).argmax())
    counts[neutral], counts[vivid] = 990.0, 10.0  # photos: mostly gray-brown, a little vivid colour
    prior = torch.exp(-torch.cdist(centres, centres).square() / 50) @ (counts / counts.sum())
    prior /= prior.sum()
    for strength in (0.25, 0.5, 0.9):
        w = bins.rebalancing_weights(counts, centres, strength)
        assert w[vivid] > 5 * w[neutral], strength
        assert torch.isclose((prior * w).sum(), torch.tensor(1.0), atol=1e-5)  # the average pixel keeps weight 1
    assert torch.allclose(bins.rebalancing_weights(counts, centres, 0.0), torch.ones(centres.shape[0]))
    # Half strength (Zhang et al.'s λ = 0.5) tempers it: between no rebalancing and nearly the inverse frequency.
    half, full = bins.rebalancing_weights(counts, centres, 0.5), bins.rebalancing_weights(counts, centres, 0.9)
    assert 1 < half[vivid] / half[neutral] < full[vivid] / full[neutral]


def test_rebalanced_training_resumes_exactly(tmp_path):
    """The colour histogram the weights come from is part of the checkpoint: stopped at 2 and resumed to 4 ==
    4 steps straight; and the weights reach the loss (the same run without rebalancing ends elsewhere)."""
    rng = np.random.default_rng(1)
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (64, 80, 3), dtype=np.uint8)).save(photos / f"{i}.png")
    common = ["train", "colorize", "--data", photos, "--batch-size", 2, "--size", 160, "--load-size", 160,
              "--photo-scales", 160, "--base", 8, "--checkpoint-every", 2, "--quiet"]

    def run(out, steps, *extra):
        result = CliRunner().invoke(main, [str(a) for a in [*common, "--out", out, "--steps", steps, *extra]])
        assert result.exit_code == 0, result.output
        return torch.load(out / "checkpoint.pt", weights_only=True)

    straight = run(tmp_path / "straight", 4, "--rebalance", 0.5)
    run(tmp_path / "split", 2, "--rebalance", 0.5)
    resumed = run(tmp_path / "split", 4, "--rebalance", 0.5, "--resume")
    plain = run(tmp_path / "plain", 4)
    assert "ab_counts" not in plain["recipe_state"]
    assert any(not torch.equal(v, plain["networks"]["G"][k]) for k, v in straight["networks"]["G"].items() if v.is_floating_point())
    counts = straight["recipe_state"]["ab_counts"]
    assert counts.sum() > 0 and torch.equal(counts, resumed["recipe_state"]["ab_counts"])
    for key, value in straight["networks"]["G"].items():
        assert torch.equal(value, resumed["networks"]["G"][key]), key


def tiny_run(photos, out, *extra, expect_exit=0):
    """Three steps of a tiny colorize run from the command line; its checkpoint (None when it is meant to fail)."""
    args = ["train", "colorize", "--data", photos, "--steps", 3, "--batch-size", 2, "--size", 160, "--load-size", 160,
            "--photo-scales", 160, "--base", 8, "--log-every", 1, "--quiet", "--out", out, *extra]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == expect_exit, result.output
    return torch.load(out / "checkpoint.pt", weights_only=True) if expect_exit == 0 else result.output


def test_adversarial_term_trains_a_critic_that_is_never_exported(tmp_path, colour_photos):
    """With adv_weight, a PatchGAN critic on (L, ab) trains beside G and changes G's updates; the exported model
    is T + G as without it, so inference is unchanged in cost."""
    adversarial = tiny_run(colour_photos, tmp_path / "adv", "--adv-weight", 1.0, "--d-base", 8)
    plain = tiny_run(colour_photos, tmp_path / "plain")
    assert set(adversarial["networks"]) == {"T", "G", "D"} and set(plain["networks"]) == {"T", "G"}
    assert any(not torch.equal(v, plain["networks"]["G"][k]) for k, v in adversarial["networks"]["G"].items() if v.is_floating_point())
    logged = (tmp_path / "adv" / "metrics.jsonl").read_text()
    assert '"loss_fit_adv"' in logged and '"d_acc"' in logged and '"chroma_ratio"' in logged
    assert set(weights.load(tmp_path / "adv", expect_recipe="colorize").networks) == {"T", "G"}


def test_decoded_colour_term_reaches_the_loss(tmp_path, colour_photos):
    """decoded_weight adds each crop's log squared error of the decoded colour (what users get) to the loss: it is
    logged, it changes G's updates, and a negative weight is refused."""
    decoded = tiny_run(colour_photos, tmp_path / "decoded", "--decoded-weight", 1.0)
    plain = tiny_run(colour_photos, tmp_path / "plain")
    assert any(not torch.equal(v, plain["networks"]["G"][k]) for k, v in decoded["networks"]["G"].items() if v.is_floating_point())
    rows = [json.loads(line) for line in (tmp_path / "decoded" / "metrics.jsonl").read_text().splitlines()]
    assert all(np.isfinite(r["loss_fit_decoded"]) and r["loss_fit_decoded"] < 0 for r in rows)  # log of an error below 1
    assert "loss_fit_decoded" not in (tmp_path / "plain" / "metrics.jsonl").read_text()
    assert "decoded_weight must be at least 0" in tiny_run(colour_photos, tmp_path / "bad", "--decoded-weight", -1, expect_exit=2)


def test_teacher_tune_fine_tunes_the_later_stages_at_their_own_rate(tmp_path, colour_photos):
    """teacher_tune trains the teacher from that stage on (with G, at teacher_lr_scale of G's rate, averaged
    like G); the stages before it stay the ImageNet ones, and without it the teacher is never trained."""
    tuned = tiny_run(colour_photos, tmp_path / "tuned", "--teacher-tune", "mixed_5", "--teacher-lr-scale", 0.5)
    plain = tiny_run(colour_photos, tmp_path / "plain")
    rates = {name: opt["param_groups"][0]["lr"] for name, opt in tuned["optimizers"].items()}
    assert rates["T"] == pytest.approx(0.5 * rates["G"]) and set(tuned["ema"]) == {"G", "T"}
    assert set(plain["optimizers"]) == {"G"} and set(plain["ema"]) == {"G"}
    before, after = plain["networks"]["T"], tuned["networks"]["T"]
    moved = {key.split(".")[1] for key in after if not torch.equal(after[key], before[key])}
    assert moved == {"mixed_5", "mixed_6"}
    assert "teacher_tune must be" in tiny_run(colour_photos, tmp_path / "bad", "--teacher-tune", "mixed_1", expect_exit=2)
    resumed = tiny_run(colour_photos, tmp_path / "plain", "--resume", "--teacher-tune", "mixed_5", expect_exit=2)
    assert "never trained T" in resumed and "--init" in resumed  # a frozen run cannot be resumed into a tuned one


def test_gray_photos_are_not_trained_on_and_a_folder_of_them_is_refused(tmp_path, colour_photos):
    """A gray photo (even saved as RGB JPEG) has no colour to learn: it is skipped with the reason, named on the
    console and in the run's data summary; a folder of only gray photos ends in one line and exit code 2."""
    gray = tmp_path / "gray"
    gray.mkdir()
    for i, path in enumerate(sorted(colour_photos.iterdir())):
        Image.open(path).convert("L").convert("RGB").save(gray / f"g{i}.jpg", quality=90)
    assert "already gray: no colour to learn from" in tiny_run(gray, tmp_path / "none", expect_exit=2)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for path in [*colour_photos.iterdir(), *gray.iterdir()]:
        (mixed / path.name).write_bytes(path.read_bytes())
    tiny_run(mixed, tmp_path / "run")
    summary = json.loads((tmp_path / "run" / "model.json").read_text())["training"]["data"]
    assert summary["images"] == 3 and sorted(Path(f["file"]).name for f in summary["skipped_files"]) == ["g0.jpg", "g1.jpg", "g2.jpg"]


def test_feature_dropout_acts_in_training_only(colour_model):
    """feature_dropout drops whole teacher channels while G trains; inference (eval mode) stays deterministic."""
    recipe, nets = colour_model.recipe, colour_model.networks
    L = torch.rand(2, 1, 160, 160) * 2 - 1
    recipe.config.feature_dropout = 0.5
    try:
        nets["G"].train()
        torch.manual_seed(0)
        a, b = recipe.logits(nets, L), recipe.logits(nets, L)
        assert not torch.allclose(a, b)  # different channels dropped on each call
        nets["G"].eval()
        assert torch.equal(recipe.logits(nets, L), recipe.logits(nets, L))
        recipe.config.feature_dropout = 0.0
        nets["G"].train()
        with torch.no_grad():  # batch norm in train mode: same batch, same statistics
            assert torch.allclose(recipe.logits(nets, L), recipe.logits(nets, L))
    finally:
        recipe.config.feature_dropout = 0.0
        nets["G"].eval()
    with pytest.raises(ValueError, match="feature_dropout must be"):
        type(recipe.config)(feature_dropout=1.0)


def test_annealed_mean_is_differentiable_and_matches_decode():
    from gantools.recipes.colorize import bins

    centres = bins.gamut_bins()
    logits = torch.randn(2, centres.shape[0], 5, 6, requires_grad=True)
    ab = bins.annealed_mean(logits, centres, 0.6)
    assert torch.equal(ab, bins.decode(logits, centres, 0.6)[0])
    ab.square().sum().backward()  # a loss on the decoded colours reaches the logits
    assert logits.grad is not None and logits.grad.abs().sum() > 0


def test_saturation_scales_the_decoded_chroma_and_leaves_confidence(colour_model):
    """--saturation multiplies the predicted ab (0 = gray) before it is resized; the confidence is the model's own."""
    from gantools.errors import UserError
    from gantools.infer import options

    gray = np.random.default_rng(3).integers(0, 255, (40, 56), dtype=np.uint8)
    outputs = {}
    for s in (1.0, 2.0, 0.0):
        options.apply(colour_model.recipe, {"saturation": s})
        predictor = colour_model.recipe.predictor(colour_model.networks, torch.device("cpu"))
        job = predictor.prepare(Decoded(gray))
        outputs[s] = predictor.forward(job.input[None])[0]
    assert outputs[1.0][:2].abs().max() > 0
    assert torch.allclose(outputs[2.0][:2], 2 * outputs[1.0][:2], atol=1e-6) and torch.equal(outputs[2.0][2], outputs[1.0][2])
    assert torch.equal(outputs[0.0][:2], torch.zeros_like(outputs[0.0][:2]))
    with pytest.raises((UserError, ValueError), match="saturation must be between 0 and 4"):
        options.apply(colour_model.recipe, {"saturation": -1})


def test_precision_runs_the_networks_in_bfloat16_and_decodes_in_float32(colour_model):
    """--precision bfloat16 runs the teacher and ColorNet under autocast (a layer's output is bfloat16), the decoding in
    float32; the colours stay within a small fraction of the float32 ones. An unknown precision is refused."""
    from gantools.errors import UserError
    from gantools.infer import options

    gray = np.random.default_rng(4).integers(0, 255, (40, 56), dtype=np.uint8)
    outputs, seen = {}, {}
    for precision in ("float32", "bfloat16"):
        options.apply(colour_model.recipe, {"precision": precision})
        predictor = colour_model.recipe.predictor(colour_model.networks, torch.device("cpu"))
        first_conv = next(m for m in predictor.networks["G"].modules() if isinstance(m, torch.nn.Conv2d))
        hook = first_conv.register_forward_hook(lambda m, i, o, p=precision: seen.__setitem__(p, o.dtype))
        outputs[precision] = predictor.forward(predictor.prepare(Decoded(gray)).input[None])[0]
        hook.remove()
    assert seen == {"float32": torch.float32, "bfloat16": torch.bfloat16}
    assert outputs["bfloat16"].dtype == torch.float32
    difference = (outputs["bfloat16"] - outputs["float32"]).abs()
    assert 0 < difference.max() < 0.05 * max(outputs["float32"][:2].abs().max(), 1e-3) + 0.01
    with pytest.raises((UserError, ValueError), match="precision must be one of auto, float32, bfloat16"):
        options.apply(colour_model.recipe, {"precision": "float16"})
