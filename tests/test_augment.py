"""gantools augment: counts that follow --balance exactly, exports that can be regenerated from the
manifest, the near-copy filter, user mistakes answered with exit code 2, and the benefit report."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from gantools.recipes.augment import benefit

from gantools.recipes.augment import classic

from gantools.recipes.augment import memorization
from gantools.cli.main import main
from gantools.recipes.augment.export import class_counts

from conftest import html_page, write_classes


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(autouse=True)
def quick_classifiers(monkeypatch):
    """The export's merge check and the reports train the small CNN for 3 steps here: their figures are not the point."""
    monkeypatch.setattr(benefit, "STEPS", 3)


@pytest.mark.parametrize("balance", ["equal", "proportional", "fill"])
@pytest.mark.parametrize("n", [1, 7, 30, 500])
def test_class_counts_sum_to_n(balance, n):
    counts = class_counts({"a": 40, "b": 10, "c": 3}, n, balance)
    assert sum(counts.values()) == n and min(counts.values()) >= 0


def test_fill_tops_every_class_up_to_the_largest_first():
    assert class_counts({"a": 40, "b": 10, "c": 3}, 67, "fill") == {"a": 0, "b": 30, "c": 37}
    over = class_counts({"a": 40, "b": 10, "c": 3}, 70, "fill")
    assert over == {"a": 1, "b": 31, "c": 38}
    assert class_counts({"a": 40, "b": 10}, 9, "proportional") == {"a": 7, "b": 2}


def test_near_copies_are_found_even_mirrored_and_brighter():
    rng = np.random.default_rng(0)
    train = [rng.integers(0, 255, (32, 32, 3), dtype=np.uint8) for _ in range(5)]
    guard = memorization.NearestTraining(train)
    brighter_mirror = np.clip(train[3][:, ::-1].astype(int) + 30, 0, 255).astype(np.uint8)
    other = rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)
    index, sim = guard.nearest([brighter_mirror, other])
    assert index[0] == 3 and sim[0] > 0.95 and sim[1] < 0.5


def test_near_copy_threshold_rises_for_classes_whose_real_images_are_alike():
    rng = np.random.default_rng(3)
    base = rng.integers(0, 255, (32, 32), dtype=np.uint8)
    alike = [np.clip(base.astype(int) + rng.integers(-8, 8, (32, 32)), 0, 255).astype(np.uint8) for _ in range(6)]
    guard = memorization.NearestTraining(alike)
    assert guard.real_likeness > 0.95 and guard.threshold(0.95) == guard.real_likeness
    varied = memorization.NearestTraining([rng.integers(0, 255, (32, 32), dtype=np.uint8) for _ in range(6)])
    assert varied.threshold(0.95) == 0.95


def test_classic_policies_are_reproducible_from_the_seed_and_keep_the_size():
    img = np.random.default_rng(1).integers(0, 255, (40, 50, 3), dtype=np.uint8)
    for name in classic.POLICIES:
        pipe = classic.policy(name, 32)
        a, b = classic.augment(pipe, img, 7), classic.augment(pipe, img, 7)
        assert a.shape == (32, 32, 3) and (a == b).all()


def test_users_own_policy_file_is_loaded(tmp_path):
    import albumentations as A

    A.save(A.Compose([A.VerticalFlip(p=1.0)]), str(tmp_path / "p.yaml"), data_format="yaml")
    img = np.arange(16 * 16 * 3, dtype=np.uint8).reshape(16, 16, 3)
    assert (classic.augment(classic.policy(str(tmp_path / "p.yaml"), 16), img, 0) == img[::-1]).all()
    (tmp_path / "bad.yaml").write_text("not: [an, albumentations, pipeline")
    from gantools.errors import UserError

    with pytest.raises(UserError, match="not an albumentations pipeline"):
        classic.policy(str(tmp_path / "bad.yaml"), 16)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = write_classes(tmp_path_factory.mktemp("aug") / "cls", per_class=6, size=24)
    (root / "square" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    return root


@pytest.fixture(scope="module")
def model(data, tmp_path_factory):
    run = tmp_path_factory.mktemp("augrun") / "run"
    result = invoke("train", "augment", "--data", data, "--out", run, "--steps", 2, "--batch-size", 4, "--g-base", 8, "--d-base", 8,
                    "--z-dim", 16, "--quiet")
    assert result.exit_code == 0, result.output
    return run


def read_manifest(out: Path) -> list[dict]:
    with open(out / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_gan_export_follows_the_balance_and_regenerates_from_the_manifest(data, model, tmp_path):
    out = tmp_path / "synth"
    before = sorted(p.name for p in data.rglob("*"))
    result = invoke("augment", "--dataset", data, "--n", 9, "--model", model, "--out", out, "--truncation", 1.5,
                    "--balance", "equal", "--quiet")
    assert result.exit_code == 0, result.output
    rows = read_manifest(out)
    assert len(rows) == 9 and {r["class"] for r in rows} == {"disc", "square"}
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["disc", "square"]
    assert sum(r["class"] == "disc" for r in rows) == 5  # equal: 9 = 5 + 4
    assert all(r["source"] == "gan" and r["truncation"] == "1.5" for r in rows)
    report = json.loads((out / "report.json").read_text())
    assert report["classes"]["square"]["real"] == 6 and any("broken.png" in s["file"] for s in report["skipped_files"])
    assert "broken.png (corrupt or truncated image" in result.output  # said on the console too, not only in the report
    assert (out / "report-samples.png").is_file()
    check = report["merge_check"]  # the export's own verdict on a plain merge, printed at the end
    assert check["held_out_images"] == 4 and check["real_images"] == 8 and check["synthetic_images"] == 6  # 5 and 4, x 4/6 each
    assert ("merge check: copied" in result.output) == (check["verdict"] == "helps") != ("warning: merged" in result.output)
    text, pictures = html_page(out / "report.html")  # samples by class, the counts, the GAN's loss curve
    assert "disc" in text and "square" in text and "Samples, by class" in text and "training losses" in text
    assert "Merged into the training folder?" in text
    assert len(pictures) == 3 and pictures[0].height >= 64  # two classes' strips and the loss curve
    # Any image can be made again from its manifest row.
    from gantools.files import weights
    from gantools.recipes.augment.pipeline import gan_images

    loaded = weights.load(model, expect_recipe="augment")
    sampler = loaded.recipe.predictor(loaded.networks, torch.device(report["sampled_on"]))  # the device it was made on
    row = rows[-1]
    again = gan_images(sampler, loaded.recipe.classes.index(row["class"]), [int(row["seed"])], float(row["truncation"]))[0]
    assert (np.asarray(Image.open(out / row["file"])) == again).all()
    assert sorted(p.name for p in data.rglob("*")) == before  # the dataset is untouched
    # The export is itself a valid class-folder dataset for gantools.
    assert invoke("train", "augment", "--data", out, "--out", tmp_path / "r2", "--dry-run").exit_code == 0


def test_without_n_the_merge_check_picks_the_size_or_writes_none(data, model, tmp_path):
    result = invoke("augment", "--dataset", data, "--model", model, "--out", tmp_path / "d", "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "d" / "report.json").read_text())
    tried = report["merge_check"]["tried"]
    assert [t["share"] for t in tried] == [1.0, 0.5, 0.25] and [t["synthetic_images"] for t in tried] == [8, 4, 2]  # of 12, x 8/12
    helped = [t["share"] for t in tried if t["verdict"] == "helps"]
    assert report["n"] == {1.0: 12, 0.5: 6, 0.25: 3}.get(max(helped, default=0), 0) == len(read_manifest(tmp_path / "d"))
    assert ("warning: no --n" in result.output) == (not helped) and ("no --n: wrote" in result.output) == bool(helped)
    # Without the check, as many as the real images, said so.
    result = invoke("augment", "--dataset", data, "--model", model, "--out", tmp_path / "u", "--quiet", "--no-check")
    assert result.exit_code == 0 and len(read_manifest(tmp_path / "u")) == 12 and "exporting 12 images" in result.output


def test_an_export_past_the_checks_memory_cap_says_it_was_checked_at_a_lower_ratio(data, model, tmp_path, monkeypatch):
    from gantools.recipes.augment import merge_check

    monkeypatch.setattr(merge_check, "MAX_SYNTHETIC", 4)
    result = invoke("augment", "--dataset", data, "--model", model, "--n", 9, "--out", tmp_path / "c", "--quiet")
    assert result.exit_code == 0, result.output
    check = json.loads((tmp_path / "c" / "report.json").read_text())["merge_check"]
    assert check["checked_fraction"] == 4 / 9 and check["synthetic_images"] < 6 and "checked with 44% of the export" in result.output


def test_classic_and_mix_modes(data, model, tmp_path):
    result = invoke("augment", "--dataset", data, "--n", 6, "--mode", "classic", "--policy", "heavy", "--out", tmp_path / "c",
                    "--balance", "proportional", "--export-size", 0, "--quiet")
    assert result.exit_code == 0, result.output
    rows = read_manifest(tmp_path / "c")
    assert len(rows) == 6 and all(r["origin"].startswith(r["class"] + "/") for r in rows)
    with Image.open(tmp_path / "c" / rows[0]["file"]) as im:
        assert im.size == (24, 24)  # --export-size 0: the dataset's typical size
    result = invoke("augment", "--dataset", data, "--n", 4, "--mode", "mix", "--model", model, "--out", tmp_path / "m", "--quiet", "--no-check")
    assert result.exit_code == 0, result.output
    assert {r["source"] for r in read_manifest(tmp_path / "m")} == {"mix"}
    assert json.loads((tmp_path / "m" / "report.json").read_text())["merge_check"] is None and "merge check" not in result.output


def test_an_out_folder_with_files_is_refused_and_overwrite_deletes_nothing(data, model, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    result = invoke("augment", "--dataset", data, "--n", 2, "--model", model, "--out", out, "--quiet")
    assert result.exit_code == 2 and "already holds files" in result.output
    assert invoke("augment", "--dataset", data, "--n", 2, "--model", model, "--out", out, "--overwrite", "--quiet").exit_code == 0
    assert (out / "mine.txt").read_text() == "keep me"


def test_user_mistakes_exit_2(data, model, tmp_path):
    loose = tmp_path / "loose"
    loose.mkdir()
    Image.new("RGB", (8, 8)).save(loose / "a.png")
    one = write_classes(tmp_path / "one", per_class=1)
    other = write_classes(tmp_path / "other", per_class=3)
    (other / "disc").rename(other / "circle")
    cases = [
        (["--dataset", tmp_path / "missing", "--n", 5], "not a folder"),
        (["--dataset", loose, "--n", 5], "directly"),
        (["--dataset", tmp_path / "one", "--n", 5, "--mode", "classic"], "at least 2"),
        (["--dataset", data, "--n", 0], "between 1 and 1,000,000"),
        (["--dataset", data, "--n", 10**9, "--mode", "classic"], "between 1 and 1,000,000 (got 1,000,000,000)"),
        (["--dataset", data, "--n", -3], "between 1 and"),
        (["--dataset", other, "--n", 2, "--model", model], "trained on classes"),
        (["--dataset", data, "--n", 2, "--model", "dcgan-digits"], "not a 'augment' model"),
        (["--dataset", data, "--n", 2, "--mode", "classic", "--policy", "nosuch"], "neither a built-in policy"),
        (["--dataset", data, "--evaluate", "--model", model, "--truncation", -1], "--truncation must be positive"),
        (["--dataset", data, "--n", 2, "--model", model, "--device", "cuda:7"], "device 'cuda:7'"),
        (["--dataset", data, "--n", 2, "--model", model, "--device", "tpu"], "unknown device"),
        (["--dataset", data, "--evaluate", "--model", model, "--seeds", 1], "--seeds must be at least 3"),
        (["--dataset", data, "--n", 2, "--run", model], "--model"),  # a run folder that holds a run: reuse it or pick another
    ]
    for args, message in cases:
        result = invoke("augment", *args, "--out", tmp_path / "x", "--quiet")
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert one.is_dir()
    inside = invoke("augment", "--dataset", data, "--evaluate", "--model", model, "--out", data / "report", "--quiet")
    assert inside.exit_code == 2 and "inside it" in inside.output and not (data / "report").exists()


def test_benefit_report_scores_every_training_set_on_held_out_real_images():
    rng = np.random.default_rng(0)
    make = lambda label, n: [np.full((16, 16), 40 + 150 * label, np.uint8) + rng.integers(0, 30, (16, 16), dtype=np.uint8) for _ in range(n)]  # noqa: E731
    sets = {k: (make(0, 6) + make(1, 6), [0] * 6 + [1] * 6) for k in ("real", "gan", "classic", "gan_merged")}
    out = benefit.report(sets, (make(0, 5) + make(1, 5), [0] * 5 + [1] * 5), ["dark", "light"], seeds=2, steps=30)
    assert set(out["accuracy"]) == set(benefit.CONFIGS) and len(out["accuracy"]["a_real"]["per_seed"]) == 2
    assert out["accuracy"]["a_real"]["accuracy_mean"] > 0.9
    assert set(out["helps"]) == set(out["gain_over_real_by_seed"]) == {"b_real_gan", "c_real_classic", "d_real_gan_classic",
                                                                      "e_real_gan_merged"}
    assert "classifier features" in out["fid_per_class"]["features"] or "Inception" in out["fid_per_class"]["features"]
    assert 0 <= out["cas"]["accuracy_mean"] <= 1


def test_a_plain_merge_draws_batches_in_the_merged_sets_proportions():
    rng = np.random.default_rng(0)
    make = lambda label, n: [np.full((16, 16), 40 + 150 * label, np.uint8) + rng.integers(0, 30, (16, 16), dtype=np.uint8) for _ in range(n)]  # noqa: E731
    real = (benefit.to_tensor(make(0, 4) + make(1, 4)), torch.tensor([0] * 4 + [1] * 4))
    flipped = (benefit.to_tensor(make(0, 200) + make(1, 200)), torch.tensor([1] * 200 + [0] * 200))  # 50x the real images, labels wrong
    x_test, y_test = benefit.to_tensor(make(0, 10) + make(1, 10)), torch.tensor([0] * 10 + [1] * 10)
    plain = benefit.train_classifier([real, flipped], 2, seed=0, steps=40, plain=True)
    assert benefit.accuracy(plain, x_test, y_test) < 0.2  # the flood wins: what a folder merge at 50:1 does
    assert benefit.accuracy(benefit.train_classifier([real], 2, seed=0, steps=40), x_test, y_test) > 0.9


def test_merge_check_keeps_the_exports_ratio_and_finds_a_harmful_export():
    from gantools.recipes.augment import merge_check

    rng = np.random.default_rng(1)
    make = lambda level, n: [np.full((16, 16), level, np.uint8) + rng.integers(0, 30, (16, 16), dtype=np.uint8) for _ in range(n)]  # noqa: E731
    real = {"dark": make(40, 8), "light": make(190, 8)}
    wrong = {"dark": make(190, 80), "light": make(40, 80)}  # 10x the real images, each class drawn as the other
    benefit.STEPS = 25  # undone by the autouse fixture
    result = merge_check.run(real, wrong, ["dark", "light"], seed=0)
    assert result["held_out_images"] == 4 and result["real_images"] == 12 and result["synthetic_images"] == 120
    assert result["verdict"] == "hurts" and result["real_only"] > 0.9 and result["merged"] < 0.2
    assert merge_check.message(result).startswith("warning: merged into the training folder, these images lowered")
    good = merge_check.run(real, {"dark": make(40, 8), "light": make(190, 8)}, ["dark", "light"], seed=0)
    assert good["synthetic_images"] == 12 and good["verdict"] in ("no clear gain", "helps")
    assert "too few" in merge_check.run({"dark": make(40, 1), "light": make(190, 8)}, wrong, ["dark", "light"], 0)["skipped"]
    share, figures = merge_check.choose(real, wrong, ["dark", "light"], 0, torch.device("cpu"), (0.25, 1.0))
    assert share == 0.0 and [t["share"] for t in figures["tried"]] == [1.0, 0.25] and figures["tried"][0]["verdict"] == "hurts"
    assert "none were written" in merge_check.choice_message(share, 0, figures)


def test_gain_by_seed_pairs_each_run_with_real_only_at_the_same_seed():
    results = {"a_real": {"per_seed": [0.70, 0.70, 0.80]}, "b_real_gan": {"per_seed": [0.80, 0.70, 0.90]},
               "c_real_classic": {"per_seed": [0.60, 0.75, 0.80]}}
    gain = benefit.gain_by_seed(results)
    assert set(gain) == {"b_real_gan", "c_real_classic"}
    b = gain["b_real_gan"]
    assert b["mean"] == pytest.approx(0.2 / 3) and b["standard_error"] == pytest.approx(np.std([0.1, 0, 0.1], ddof=1) / np.sqrt(3))
    single = benefit.gain_by_seed({"a_real": {"per_seed": [0.7]}, "b_real_gan": {"per_seed": [0.8]}})["b_real_gan"]
    assert single["standard_error"] is None and benefit.gain_text(single, 1) == "" and benefit.gain_text(None, 3) == ""
    assert benefit.gain_text(b, 3) == "(vs (a) seed by seed: +6.67 +- 3.33 points, above in 2 of 3)"
    assert (b["seeds_above"], b["seeds_below"]) == (2, 0) and (gain["c_real_classic"]["seeds_above"], gain["c_real_classic"]["seeds_below"]) == (1, 1)


def test_training_stops_at_the_time_limit_and_exports(data, tmp_path):
    result = invoke("train", "augment", "--data", data, "--out", tmp_path / "r", "--steps", 2000, "--minutes", 0.0001,
                    "--batch-size", 4, "--g-base", 8, "--d-base", 8, "--quiet")
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "r" / "model.json").read_text())
    assert card["training"]["steps"] < 2000  # a broken limit would run all 2000 steps


def test_size_and_fit_reach_training_and_classic_export(tmp_path):
    import albumentations as A

    wide = tmp_path / "wide"
    for cls, value in (("dark", 0), ("mid", 90)):
        (wide / cls).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.full((20, 40, 3), value + i, np.uint8)).save(wide / cls / f"{i}.png")
    A.save(A.Compose([A.HorizontalFlip(p=0.0)]), str(tmp_path / "keep.yaml"), data_format="yaml")
    result = invoke("augment", "--dataset", wide, "--n", 2, "--mode", "classic", "--policy", tmp_path / "keep.yaml",
                    "--size", 32, "--fit", "pad", "--out", tmp_path / "c", "--quiet")
    assert result.exit_code == 0, result.output
    row = read_manifest(tmp_path / "c")[0]
    pixels = np.asarray(Image.open(tmp_path / "c" / row["file"]))
    assert pixels.shape[:2] == (32, 32)
    assert pixels[0].min() == 255 and pixels[16].max() < 100  # the whole wide image, padded with white above and below
    run = tmp_path / "r"
    result = invoke("augment", "--dataset", wide, "--n", 2, "--steps", 1, "--size", 32, "--fit", "pad", "--run", run,
                    "--out", tmp_path / "g", "--quiet")
    assert result.exit_code == 0, result.output
    import yaml

    saved = yaml.safe_load((run / "config.yaml").read_text())
    assert saved["recipe_config"]["size"] == 32 and saved["recipe_config"]["fit"] == "pad"
    assert invoke("augment", "--dataset", wide, "--n", 2, "--size", 48, "--out", tmp_path / "x").exit_code == 2


def test_evaluate_from_the_command_line_checks_a_reused_model_against_the_held_out_part(data, model, tmp_path, monkeypatch):
    # `model` trained on all of `data`: its run's list of training files shows it saw the part held out here.
    result = invoke("augment", "--dataset", data, "--evaluate", "--model", model, "--n", 4, "--out", tmp_path / "e", "--quiet")
    assert result.exit_code == 0, result.output
    assert "trained on 4 of the images held out here" in result.output and "CAS (GAN only)" in result.output
    report = json.loads((tmp_path / "e" / "benefit-report.json").read_text())
    assert report["gan_trained_without_held_out"] is False
    assert report["balance"] == "proportional" and report["synthetic_per_class"] == {"disc": 2, "square": 2}
    assert report["gan_near_copies_dropped"]["total"] == sum(report["gan_near_copies_dropped"]["per_class"].values())
    assert set(report["accuracy"]) == set(benefit.CONFIGS) and (tmp_path / "e" / "report-samples.png").is_file()
    assert any(s["file"] == str(data / "square" / "broken.png") for s in report["skipped_files"])  # named as the user knows it
    text, pictures = html_page(tmp_path / "e" / "benefit-report.html")  # the accuracies as a chart, samples by class
    assert "Accuracy by training set" in text and "a_real" in text and len(pictures) >= 3
    # A corrupt held-out image is reported by name; the report goes on without it.
    test = write_classes(tmp_path / "held", per_class=2, size=24, seed=5)
    (test / "disc" / "zz_broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    result = invoke("augment", "--dataset", data, "--evaluate", "--model", model, "--test", test, "--n", 4, "--out", tmp_path / "t", "--quiet")
    assert result.exit_code == 0, result.output
    assert "zz_broken.png" in result.output and "flattered" not in result.output  # images it never trained on
    report = json.loads((tmp_path / "t" / "benefit-report.json").read_text())
    assert report["held_out_images"] == 4 and any(s["file"].endswith("zz_broken.png") for s in report["skipped_files"])
    assert report["gan_trained_without_held_out"] is True
    # The report judges the split an export would make: --balance shares the synthetic images among the classes.
    uneven = write_classes(tmp_path / "uneven", per_class=6, size=24, seed=7)
    for f in sorted((uneven / "disc").iterdir())[3:]:
        f.unlink()
    result = invoke("augment", "--dataset", uneven, "--evaluate", "--model", model, "--test", test, "--n", 9, "--balance", "fill",
                    "--seeds", 4, "--out", tmp_path / "f", "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "f" / "benefit-report.json").read_text())
    assert report["balance"] == "fill" and report["synthetic_per_class"] == {"disc": 6, "square": 3}  # 3 + 3 tops disc up to 6
    assert report["train_sizes"] == {"real": 9, "gan": 9, "classic": 9, "gan_merged": 9}  # (e): the --n an export would merge
    assert report["seeds"] == 4 and all(len(r["per_seed"]) == 4 for r in report["accuracy"].values())
    assert "seed by seed" in result.output and "of 4)" in result.output
    # Weights without their run's list (e.g. copied elsewhere) cannot be checked, and the report says so.
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("model.safetensors", "model.json"):
        shutil.copyfile(model / name, bare / name)
    result = invoke("augment", "--dataset", data, "--evaluate", "--model", bare, "--test", test, "--n", 4, "--out", tmp_path / "u", "--quiet")
    assert result.exit_code == 0 and "cannot be checked" in result.output and "the --test images" in result.output
    assert json.loads((tmp_path / "u" / "benefit-report.json").read_text())["gan_trained_without_held_out"] is None


def test_evaluate_judges_the_images_at_the_export_size(data, model, tmp_path, monkeypatch):
    judged = []  # the real report runs; this only keeps what it was given
    real_report = benefit.report
    monkeypatch.setattr(benefit, "report", lambda sets, test, *a, **k: judged.append((sets, test)) or real_report(sets, test, *a, **k))
    sides = {}
    for extra in ([], ["--export-size", 48]):
        out = tmp_path / f"e{len(extra)}"
        result = invoke("augment", "--dataset", data, "--evaluate", "--model", model, "--n", 4, "--out", out, "--quiet", *extra)
        assert result.exit_code == 0, result.output
        sets, test = judged[-1]
        shapes = {im.shape[:2] for k in ("real", "gan", "classic") for im in sets[k][0]} | {im.shape[:2] for im in test[0]}
        sides[len(extra)] = (json.loads((out / "benefit-report.json").read_text())["image_size"], shapes)
    trained_at = json.loads((model / "model.json").read_text())["image_size"]
    assert sides[0] == (trained_at, {(trained_at, trained_at)})
    assert sides[2] == (48, {(48, 48)})  # every set and the held-out images, as an export at 48 would ship them


def test_a_resumed_run_lists_the_files_of_every_sitting(data, tmp_path):
    from gantools.train import provenance

    other = write_classes(tmp_path / "other", per_class=2, size=24, seed=9)
    run = tmp_path / "run"
    args = ["--steps", 1, "--batch-size", 4, "--g-base", 8, "--d-base", 8, "--z-dim", 16, "--quiet"]
    assert invoke("train", "augment", "--data", data, "--out", run, *args).exit_code == 0
    first = provenance.seen_by(run / "model.safetensors")
    assert first == {provenance.digest(f) for f in data.rglob("*.png") if f.name != "broken.png"}
    result = invoke("train", "augment", "--data", other, "--out", run, "--resume", *args[:1], 2, *args[2:])
    assert result.exit_code == 0, result.output
    assert provenance.seen_by(run / "model.safetensors") == first | {provenance.digest(f) for f in other.rglob("*.png")}


def test_exported_generator_samples_with_its_own_standing_statistics(model, assert_standing_stats):
    # Exported: BN statistics measured on the EMA generator's own outputs, not the live G's copied buffers.
    loaded = assert_standing_stats(model, "augment")
    assert loaded.card["bn_statistics"].startswith("standing")


def test_truncation_measures_statistics_for_its_noise_and_untruncated_sampling_comes_back(model):
    from gantools.files import weights
    from gantools.recipes.augment.pipeline import gan_images

    loaded = weights.load(model, expect_recipe="augment")
    sampler = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    plain = gan_images(sampler, 0, [5, 6], None)
    truncated = gan_images(sampler, 0, [5, 6], 0.5)
    assert any((a != b).any() for a, b in zip(plain, truncated))
    assert all((a == b).all() for a, b in zip(plain, gan_images(sampler, 0, [5, 6], None)))
    assert all((a == b).all() for a, b in zip(truncated, gan_images(sampler, 0, [5, 6], 0.5)))


def test_near_copies_are_dropped_and_redrawn_from_the_next_seeds_for_export_and_report(model):
    # Training images that are the generator's own draws for seeds 5-7: those draws are near-copies, later seeds are not.
    from gantools.recipes.augment import memorization
    from gantools.files import weights
    from gantools.recipes.augment.pipeline import gan_images, redraw_near_copies

    loaded = weights.load(model, expect_recipe="augment")
    sampler = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    copies = gan_images(sampler, 0, [5, 6, 7], None)
    guard = memorization.NearestTraining(copies)
    make = lambda seeds: [(im,) for im in gan_images(sampler, 0, seeds, None)]  # noqa: E731
    kept, dropped, next_seed = redraw_near_copies(make, guard, 0.999, 3, 5)
    kept = [im for im, in kept]
    assert dropped == 3 and len(kept) == 3 and next_seed == 11
    assert all(guard.nearest([im])[1][0] < guard.threshold(0.999) for im in kept)
    assert all((a == b).all() for a, b in zip(kept, gan_images(sampler, 0, [8, 9, 10], None)))  # redrawn from the next seeds


def test_eval_scores_samples_against_held_out_classes(data, model, tmp_path, monkeypatch):
    from gantools.metrics import inception

    held = write_classes(tmp_path / "held", per_class=3, size=24, seed=11)
    (held / "disc" / "zz_broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    out = tmp_path / "e.json"
    result = invoke("eval", "augment", "--data", held, "--model", model, "--samples", 12, "--seeds", 2, "--real", data,
                    "--json", out, "--examples", tmp_path / "ex")
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    s = report["summary"]
    assert s["samples"] == 12 and s["held_out_images"] == 6 and s["chance"] == 0.5
    assert 0 <= s["cas"] <= 1 and 0 <= s["real_accuracy"] <= 1 and s["cas_over_real"] == pytest.approx(s["cas"] / s["real_accuracy"])
    assert set(report["checks"]) == {"CAS above chance", "CAS at least half the real-trained accuracy"}
    assert any(x["file"].endswith("zz_broken.png") for x in report["skipped"]) and "zz_broken.png" in result.output
    assert (tmp_path / "ex" / "samples.png").is_file()
    if inception.available():
        assert s["fid"] > 0 and [r["class"] for r in report["rows"]] == ["disc", "square"]
    else:
        assert "FID not computed" in report["fid_note"]
    # A held-out class the model never learned is a user mistake: one line, exit 2.
    (held / "triangle").mkdir()
    shutil.copyfile(held / "disc" / sorted(p.name for p in (held / "disc").glob("*.png") if p.name != "zz_broken.png")[0], held / "triangle" / "t.png")
    result = invoke("eval", "augment", "--data", held, "--model", model, "--samples", 12, "--seeds", 1)
    assert result.exit_code == 2 and "not trained on: triangle" in result.output and "Traceback" not in result.output

