"""cyclegan: two-domain training (preprocessing, unequal domains, pool kept across resume), translate over
every kind of input at its own size, eval's cycle figures, and every user mistake in one line."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from gantools.cli.main import main
from gantools.recipes.cyclegan.domains import prepare
from gantools.recipes.cyclegan.net import ResnetGenerator
from gantools.recipes.cyclegan.pool import ImagePool
from gantools.recipes.cyclegan.recipe import CycleGANConfig

TINY = ["--size", 32, "--load-size", 36, "--base", 4, "--blocks", 1, "--d-base", 4, "--d-layers", 2, "--pool", 3,
        "--batch-size", 2, "--sample-every", 0, "--quiet"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def blobs(h, w, seed, hue):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    base = np.sin(7 * x + rng.uniform(0, 3)) * np.cos(5 * y + rng.uniform(0, 3))
    img = np.stack([base * (1 + hue * c) for c in range(3)], axis=2)
    return np.clip((img + 1.5) * 80, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def domains(tmp_path_factory):
    root = tmp_path_factory.mktemp("domains")
    for name, count, hue in (("A", 3, 0.0), ("B", 5, 0.8)):  # unequal domain sizes
        (root / name).mkdir()
        for i in range(count):
            Image.fromarray(blobs(40 + 8 * i, 48, i, hue)).save(root / name / f"{i}.png")
    (root / "A" / "broken.png").write_bytes(b"not a png")
    return root


@pytest.fixture(scope="module")
def model(domains, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "c"
    result = invoke("train", "cyclegan", "--data-a", domains / "A", "--data-b", domains / "B", "--out", out, "--steps", 3, *TINY)
    assert result.exit_code == 0, result.output
    return out


def test_generator_keeps_any_multiple_of_four_size():
    g = ResnetGenerator(3, 4, 1)
    assert g(torch.zeros(1, 3, 20, 28)).shape == (1, 3, 20, 28)
    assert g(torch.rand(1, 3, g.smallest, g.smallest)).shape == (1, 3, g.smallest, g.smallest)


def test_preprocess_modes():
    img = blobs(60, 100, 0, 0.0)
    assert prepare(img, "resize_and_crop", 32, 40).shape == (40, 40, 3)
    assert prepare(img, "scale_width", 32, 50).shape == (32, 50, 3)  # 30 high at width 50: raised to the crop
    assert prepare(img, "crop", 32, 40).shape == (60, 100, 3)
    assert prepare(blobs(30, 50, 0, 0.0), "none", 32, 40).shape == (28, 48, 3)
    with pytest.raises(ValueError, match="smaller than the 64x64 crop"):
        prepare(img, "crop", 64, 64)


def test_pool_fills_then_mixes_and_survives_a_round_trip():
    torch.manual_seed(0)
    pool = ImagePool(3)
    first = torch.zeros(2, 1, 1, 1)
    assert torch.equal(pool(first), first) and pool.images.shape[0] == 2
    pool(torch.ones(2, 1, 1, 1))
    assert pool.images.shape[0] == 3
    mixed = torch.cat([pool(torch.full((4, 1, 1, 1), 5.0)) for _ in range(10)])
    assert (mixed != 5.0).any() and (mixed == 5.0).any()
    copy = ImagePool(3)
    copy.load_state_dict(pool.state_dict())
    assert torch.equal(copy.images, pool.images)


def test_training_writes_both_generators_and_names_the_domains(model, domains):
    card = json.loads((model / "model.json").read_text())
    assert set(card["networks"]) == {"G_AB", "G_BA"} and card["domain_images"] == {"A": 3, "B": 5}
    assert any(s["file"].endswith("broken.png") for s in card["training"]["data"]["skipped_files"])
    assert (model / "samples").is_dir()


def test_resume_repeats_the_straight_run_with_its_pool(domains, tmp_path):
    args = ["train", "cyclegan", "--data-a", domains / "A", "--data-b", domains / "B", *TINY, "--checkpoint-every", 2]
    assert invoke(*args, "--out", tmp_path / "straight", "--steps", 4).exit_code == 0
    assert invoke(*args, "--out", tmp_path / "split", "--steps", 2).exit_code == 0
    ckpt = torch.load(tmp_path / "split" / "checkpoint.pt", weights_only=False)
    assert ckpt["recipe_state"]["pools"]["A"]["images"].shape[0] == 3  # two steps of 2 fakes: pool of 3 is full
    resumed = invoke(*args, "--out", tmp_path / "split", "--steps", 4, "--resume")
    assert resumed.exit_code == 0, resumed.output
    from safetensors.torch import load_file

    a, b = load_file(str(tmp_path / "straight" / "model.safetensors")), load_file(str(tmp_path / "split" / "model.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_translate_keeps_size_and_modes_both_directions(model, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(blobs(37, 51, 1, 0.0)).save(src / "odd.jpg")  # not a multiple of 4
    Image.fromarray(blobs(20, 24, 2, 0.0)[..., 0]).save(src / "gray.png")
    Image.fromarray(np.dstack([blobs(16, 16, 3, 0.0), np.full((16, 16), 77, np.uint8)]), "RGBA").save(src / "rgba.png")
    cv2.imwrite(str(src / "deep.png"), (np.random.default_rng(0).random((12, 12, 3)) * 65535).astype(np.uint16))
    Image.fromarray(blobs(300, 200, 4, 0.0)).save(src / "big.png")
    Image.fromarray(blobs(1, 1, 5, 0.0)).save(src / "dot.png")  # too small for the generator's padding and norms
    Image.fromarray(blobs(3, 40, 6, 0.0)).save(src / "sliver.png")
    (src / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nnope")
    for direction in ("AtoB", "BtoA"):
        out = tmp_path / direction
        result = invoke("translate", src, out, "--model", model, "--direction", direction, "--max-side", 64, "--quiet")
        assert result.exit_code == 1, result.output  # bad.png failed, the rest done
        assert Image.open(out / "odd.jpg").size == (51, 37)
        assert Image.open(out / "gray.png").mode == "L"
        with Image.open(out / "rgba.png") as im:
            assert im.mode == "RGBA" and np.asarray(im)[..., 3].max() == 77
        assert cv2.imread(str(out / "deep.png"), cv2.IMREAD_UNCHANGED).dtype == np.uint16
        assert Image.open(out / "big.png").size == (200, 300)  # translated at 64 on the longer side, resized back
        assert Image.open(out / "dot.png").size == (1, 1) and Image.open(out / "sliver.png").size == (40, 3)
    a, b = (np.asarray(Image.open(tmp_path / d / "odd.jpg")) for d in ("AtoB", "BtoA"))
    assert not np.array_equal(a, b)


def test_eval_reports_cycle_psnr_per_domain(model, domains, tmp_path):
    result = invoke("eval", "cyclegan", "--data-a", domains / "A", "--data-b", domains / "B", "--model", model,
                    "--json", tmp_path / "e.json", "--examples", tmp_path / "ex", "--max-side", 48)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "e.json").read_text())
    assert report["images"] == {"A": 3, "B": 5} and len(report["skipped"]) == 1
    # The --max-side the images were scaled to is recorded, not only the model's own setting.
    assert report["max_side"] == 48 and report["inference_options"]["max_side"] != 48
    assert 0 < report["summary"]["cycle_psnr_A"] < 100 and "cycle_psnr_B" in report["summary"]
    assert len(list((tmp_path / "ex").iterdir())) == 8
    assert ("kid_x100_AtoB" in report["summary"]) != ("kid_note" in report)


@pytest.mark.parametrize("args, message", [
    (["--data-a", "{A}"], "cyclegan trains on two folders"),
    (["--data-a", "{A}", "--data-b", "{A}"], "are the same folder"),
    (["--data-a", "{A}", "--data-b", "{missing}"], "does not exist"),
    (["--data-a", "{A}", "--data-b", "{empty}"], "no images found"),
    (["--data-a", "{A}", "--data-b", "{B}", "--preprocess", "zoom"], "preprocess must be one of"),
    (["--data-a", "{A}", "--data-b", "{B}", "--size", "30"], "multiple of 4"),
])
def test_training_mistakes_end_in_one_line(domains, tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    paths = {"A": domains / "A", "B": domains / "B", "missing": tmp_path / "nope", "empty": tmp_path / "empty"}
    result = invoke("train", "cyclegan", "--out", tmp_path / "o", "--steps", 1, *TINY, *[a.format(**paths) for a in args])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["--direction", "sideways"], "--direction must be AtoB or BtoA"),
    (["--model", "superres-x2"], "is a 'superres' model, not a 'cyclegan' model"),
    (["--max-side", "8"], "max_side must be 0"),
])
def test_translate_mistakes_end_in_one_line(model, tmp_path, args, message):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(blobs(16, 16, 0, 0.0)).save(src / "a.png")
    opts = {"--model": str(model)}
    opts.update(dict(zip(args[::2], args[1::2])))
    result = invoke("translate", src, tmp_path / "out", *[x for kv in opts.items() for x in kv])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_eval_without_domain_b_is_one_line(model, domains):
    result = invoke("eval", "cyclegan", "--data-a", domains / "A", "--model", model)
    assert result.exit_code == 2 and "--data-a TEST_A/ --data-b TEST_B/" in result.stderr


def test_config_refuses_a_load_size_below_the_crop():
    with pytest.raises(ValueError, match="load_size"):
        CycleGANConfig(size=64, load_size=32)


def test_onnx_export_agrees(model, tmp_path):
    pytest.importorskip("onnxruntime")
    result = invoke("export", model, "--onnx", tmp_path / "c.onnx")
    assert result.exit_code == 0, result.output
    assert float(result.output.rsplit("PyTorch| ", 1)[1]) < 1e-3
