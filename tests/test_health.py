"""Training that fails says so: a discriminator at chance for a long stretch, or near-identical samples, gives one
warning line naming the symptom and what to try, and the model card records it."""

from __future__ import annotations

import json

import torch
from click.testing import CliRunner

from gantools.cli.main import main
from gantools.train import health
from gantools.train.health import HealthWatch


def test_chance_for_a_long_stretch_warns_once_and_leaving_it_resets():
    said = []
    watch = HealthWatch(said.append)
    for step in range(50, 501, 50):  # 450 steps at chance: not yet
        watch.observe({"step": step, "d_acc": 0.51})
    assert not said
    watch.observe({"step": 550, "d_acc": 0.49})
    watch.observe({"step": 600, "d_acc": 0.50})
    assert len(said) == 1 and "d_acc" in said[0] and "step 50 to 550" in said[0] and "What to try" in said[0]
    assert watch.warnings[0]["symptom"] == "discriminator at chance"
    other = HealthWatch(said.append)
    for step in range(50, 2001, 50):  # D that learns now and then never stays at chance long enough
        other.observe({"step": step, "d_acc": 0.5 if step % 400 else 0.7, "d_acc_B": 0.9})
    assert not other.warnings


def test_near_identical_samples_warn_and_varied_ones_do_not():
    said = []
    watch = HealthWatch(said.append, advice={"samples collapsed": "our own advice"})
    varied = torch.rand(8, 3, 16, 16) * 2 - 1
    watch.observe_samples(varied, 100)
    assert not said
    collapsed = varied[:1].repeat(8, 1, 1, 1) + 0.01 * torch.randn(8, 3, 16, 16)
    watch.observe_samples(collapsed, 200)
    assert len(said) == 1 and "near-identical" in said[0] and "our own advice" in said[0]


def test_a_run_records_its_warnings_in_the_model_card(shapes, tmp_path, monkeypatch):
    # Thresholds set so that this 6-step run counts as "at chance" from its first log: the plumbing is under test
    # (trainer -> warning line -> model.json), the thresholds by the tests above.
    monkeypatch.setattr(health, "CHANCE_BAND", 0.5)
    monkeypatch.setattr(health, "CHANCE_STEPS", 2)
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "dcgan", "--data", str(shapes), "--out", str(out), "--steps", "6",
                                       "--size", "16", "--base", "8", "--z-dim", "8", "--batch-size", "4",
                                       "--set", "log_every=2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "warning: d_acc has stayed" in result.output
    card = json.loads((out / "model.json").read_text())
    assert card["training"]["warnings"][0]["symptom"] == "discriminator at chance"
