"""infogan: codes drawn uniformly from one Gaussian latent, training logs the mutual-information term, sampling by
code (traversals, fixed codes), eval's Hungarian accuracy, and every user mistake in one line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from gantools.cli.main import main
from gantools.recipes.infogan.net import InfoGenerator

TINY = ["--size", 16, "--base", 8, "--noise", 6, "--categorical", 3, "--continuous", 1, "--batch-size", 8, "--sample-every", 0,
        "--preview", 6, "--quiet"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """Three 'classes' of simple shapes, in class folders (which training must ignore)."""
    root = tmp_path_factory.mktemp("shapes")
    rng = np.random.default_rng(0)
    for name, draw in (("bar", lambda a: a.__setitem__((slice(4, 12), slice(7, 9)), 255)),
                       ("dash", lambda a: a.__setitem__((slice(7, 9), slice(4, 12)), 255)),
                       ("box", lambda a: a.__setitem__((slice(5, 11), slice(5, 11)), 255))):
        (root / name).mkdir()
        for i in range(12):
            img = np.zeros((16, 16), np.uint8)
            draw(img)
            img = np.roll(img, rng.integers(-2, 3, 2), axis=(0, 1))
            Image.fromarray(img).save(root / name / f"{i}.png")
    return root


@pytest.fixture(scope="module")
def model(digits, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "i"
    result = invoke("train", "infogan", "--data", digits, "--out", out, "--steps", 6, "--log-every", 3, *TINY)
    assert result.exit_code == 0, result.output
    return out


def test_codes_from_a_gaussian_latent_are_uniform():
    g = InfoGenerator(noise=4, categories=5, continuous=2, channels=1, size=16, base=4)
    index, values = g.codes_of(torch.randn(20000, g.z_dim, generator=torch.Generator().manual_seed(0)))
    counts = torch.bincount(index, minlength=5).float() / 20000
    assert torch.allclose(counts, torch.full((5,), 0.2), atol=0.015)
    assert values.min() >= -1 and values.max() <= 1 and abs(float(values.mean())) < 0.02
    assert abs(float((values.abs() < 0.5).float().mean()) - 0.5) < 0.02  # uniform: half within +-0.5


def test_noise_std_scales_only_the_noise_inside_g(tmp_path):
    torch.manual_seed(0)
    small = InfoGenerator(noise=4, categories=3, continuous=1, channels=1, size=16, base=4, noise_std=0.1).eval()
    plain = InfoGenerator(noise=4, categories=3, continuous=1, channels=1, size=16, base=4).eval()
    plain.load_state_dict(small.state_dict())
    noise, index, values = torch.randn(5, 4), torch.tensor([0, 1, 2, 0, 1]), torch.rand(5, 1) * 2 - 1
    assert torch.allclose(small.from_codes(noise, index, values), plain.from_codes(noise * 0.1, index, values))
    assert not torch.allclose(small.from_codes(noise, index, values), plain.from_codes(noise, index, values))
    assert invoke("train", "infogan", "--data", tmp_path, "--out", tmp_path / "x", "--noise-std", 0).output.strip().endswith(
        "noise, noise_std and base must be positive, weights not negative")


def test_training_logs_the_information_term_and_ignores_labels(model):
    lines = [json.loads(x) for x in (model / "metrics.jsonl").read_text().splitlines()]
    assert all("mi_cat" in line and "loss_g_info_cat" in line and "loss_g_info_cont" in line for line in lines)
    assert all(line["mi_cat"] <= np.log(3) + 1e-6 for line in lines)
    card = json.loads((model / "model.json").read_text())
    assert set(card["networks"]) == {"G", "D", "Q"} and card["classes"] == []
    assert card["codes"] == {"c1": "categorical, 3 values", "c2": "continuous, uniform on [-1, 1]"}


def test_traversals_and_fixed_codes(model, tmp_path):
    r = invoke("sample", model, "--traverse", "c1", "--n", 4, "--out", tmp_path / "cat")
    assert r.exit_code == 0, r.output
    assert Image.open(tmp_path / "cat" / "traverse_c1.png").size[1] > Image.open(tmp_path / "cat" / "traverse_c1.png").size[0] // 2
    r = invoke("sample", model, "--traverse", "c2", "--range", -2, 2, "--steps", 5, "--n", 2, "--out", tmp_path / "cont")
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "cont" / "samples.json").read_text())["range"] == [-2.0, 2.0]
    r = invoke("sample", model, "--code", "c1=2", "--code", "c2=0.5", "--n", 3, "--out", tmp_path / "fixed", "--grid")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "fixed").iterdir()) == ["00000.png", "00001.png", "00002.png", "grid.png", "samples.json"]
    again = invoke("sample", model, "--code", "c1=2", "--code", "c2=0.5", "--n", 3, "--out", tmp_path / "again")
    assert (tmp_path / "again" / "00001.png").read_bytes() == (tmp_path / "fixed" / "00001.png").read_bytes()
    assert again.exit_code == 0
    plain = invoke("sample", model, "--n", 4, "--out", tmp_path / "plain")
    assert plain.exit_code == 0, plain.output


def test_eval_maps_codes_to_classes_one_to_one(model, digits, tmp_path):
    result = invoke("eval", "infogan", "--data", digits, "--model", model, "--json", tmp_path / "e.json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "e.json").read_text())
    assert len(report["rows"]) == 36 and 0 <= report["summary"]["accuracy"] <= 1
    assert sorted(report["mapping"].values()) == ["bar", "box", "dash"]  # 3 codes, 3 classes: a bijection


def test_the_papers_way_trains_q_and_the_trunk_with_d(digits, tmp_path):
    out = tmp_path / "paper"
    result = invoke("train", "infogan", "--data", digits, "--out", out, "--steps", 4, "--log-every", 2, "--info-trains-d", *TINY)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert all("loss_d_info_cat" in line and "loss_g_info_cat" in line and "mi_cat" in line for line in lines)
    assert json.loads((out / "model.json").read_text())["config"]["info_trains_d"] is True


def test_pair_information_is_ln_k_for_agreeing_balanced_codes_and_zero_for_unrelated_ones():
    import math

    from gantools.recipes.infogan.consistency import pair_information

    sure = torch.eye(4).repeat(8, 1) * 50  # 32 images, each code 8 times, both views agree
    assert abs(float(pair_information(sure, sure)) - math.log(4)) < 1e-4
    unrelated = torch.eye(4).repeat_interleave(8, 0) * 50  # each pair of codes equally often: independent views
    assert abs(float(pair_information(sure, unrelated))) < 1e-4
    one_code = torch.zeros(32, 4)
    one_code[:, 0] = 50  # every image the same code: agreeing, but it tells nothing
    assert abs(float(pair_information(one_code, one_code))) < 1e-4


def test_random_warp_keeps_shape_and_background_and_moves_the_image():
    from gantools.recipes.infogan.consistency import random_warp

    x = -torch.ones(16, 1, 16, 16)
    x[:, :, 6:10, 4:12] = 1.0
    torch.manual_seed(0)
    y = random_warp(x)
    assert y.shape == x.shape and float(y[:, :, 0, 0].max()) <= -0.999  # the corners stay background
    assert float((y - x).abs().mean()) > 0.01 and float(y.max()) > 0.5  # moved, not erased


@pytest.mark.parametrize("paper_way", [False, True])
def test_real_consistency_trains_q_on_warped_real_images_in_the_phase_that_trains_q(digits, tmp_path, paper_way):
    out = tmp_path / "iic"
    extra = ["--info-trains-d"] if paper_way else []
    result = invoke("train", "infogan", "--data", digits, "--out", out, "--steps", 4, "--log-every", 2, "--real-consistency", 1, *extra, *TINY)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    phase = "d" if paper_way else "g"
    assert all(f"loss_{phase}_info_real" in line and 0 <= line["mi_real"] <= np.log(3) + 1e-4 for line in lines)


def test_overclustering_head_trains_beside_q_and_the_model_still_samples_and_evaluates(digits, tmp_path):
    out = tmp_path / "over"
    result = invoke("train", "infogan", "--data", digits, "--out", out, "--steps", 4, "--log-every", 2, "--real-consistency", 1,
                    "--overcluster", 7, "--info-trains-d", *TINY)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert all("loss_d_info_real_over" in line and 0 <= line["mi_real_over"] <= np.log(7) + 1e-4 for line in lines)
    assert invoke("eval", "infogan", "--data", digits, "--model", out, "--json", tmp_path / "e.json").exit_code == 0
    assert invoke("sample", out, "--traverse", "c1", "--out", tmp_path / "pics").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["--categorical", 1], "categorical must be at least 2"),
    (["--real-consistency", -1], "weights not negative"),
    (["--overcluster", 1], "overcluster must be 0 (none) or at least 2"),
    (["--continuous", -1], "continuous must not be negative"),
])
def test_training_mistakes_end_in_one_line(digits, tmp_path, args, message):
    result = invoke("train", "infogan", "--data", digits, "--out", tmp_path / "o", "--steps", 1, *TINY, *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["--code", "c9=1"], "has no code 'c9' (it has: c1, c2)"),
    (["--code", "c1=3"], "c1 is categorical: a whole number from 0 to 2"),
    (["--code", "c1=1.5"], "a whole number"),
    (["--code", "c2=7"], "at most 3 either way"),
    (["--code", "c2"], "--code wants NAME=VALUE"),
    (["--traverse", "c2", "--range", 1, -1], "--range wants LO < HI"),
    (["--traverse", "c5"], "has no code 'c5'"),
])
def test_sampling_mistakes_end_in_one_line(model, tmp_path, args, message):
    result = invoke("sample", model, "--out", tmp_path / "s", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_traverse_on_a_model_without_codes(tmp_path):
    result = invoke("sample", "dcgan-digits", "--traverse", "c1", "--out", tmp_path / "s")
    assert result.exit_code == 2 and "has no codes" in result.stderr


def test_onnx_export_agrees(model, tmp_path):
    pytest.importorskip("onnxruntime")
    result = invoke("export", model, "--onnx", tmp_path / "i.onnx")
    assert result.exit_code == 0, result.output
    assert float(result.output.rsplit("PyTorch| ", 1)[1]) < 1e-3
