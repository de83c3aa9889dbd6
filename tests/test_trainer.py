"""The trainer's contract with the two-player recipes: phases that each move only their own net, EMA
arithmetic, exact resume, the NaN guard, and the run folder it leaves. (Any number of networks:
test_phases.py.)"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch
from torch import nn

from gantools.train.ema import EMA
from gantools.recipes.dcgan import DCGANConfig, DCGANRecipe
from gantools.train.trainconfig import TrainConfig
from gantools.train.trainer import Trainer, TrainingDiverged


def make_trainer(data, out=None, resume=False, **train):
    recipe = DCGANRecipe(DCGANConfig(size=16, base=8, z_dim=8, conditional=True))
    dataset = recipe.dataset(data)
    defaults = dict(steps=4, batch_size=8, preview=4, log_every=1, sample_every=0, checkpoint_every=100, device="cpu")
    return Trainer(recipe, TrainConfig(**{**defaults, **train}), dataset, out, resume=resume, progress=False)


def snapshot(params):
    return [p.detach().clone() for p in params]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def grads(params):
    return [None if p.grad is None else p.grad.detach().clone() for p in params]


def same_grads(a, b):
    return all((x is None and y is None) or (x is not None and y is not None and torch.equal(x, y)) for x, y in zip(a, b))


@pytest.mark.parametrize("loss", ["bce", "hinge", "wgan-gp"])
def test_each_phase_moves_only_its_own_network(shapes, loss):
    """Checked at every step: D's step leaves G (weights and gradients) alone; G's step leaves D alone."""
    trainer = make_trainer(shapes, loss=loss, r1_gamma=1.0 if loss != "wgan-gp" else 0.0, diffaug="color,translation,cutout")
    G, D = trainer.nets["G"], trainer.nets["D"]
    problems, last = [], {"g_grads": grads(G.parameters()), "d_grads": None}
    d_step, g_step = trainer.optimizers["D"].step, trainer.optimizers["G"].step

    def checked_d_step(*a, **k):
        if not same_grads(last["g_grads"], grads(G.parameters())):
            problems.append("D's backward changed G's gradients")
        g_before = snapshot(G.parameters())
        out = d_step(*a, **k)
        if not same(g_before, G.parameters()):
            problems.append("D's step changed G")
        last["d_grads"] = grads(D.parameters())
        return out

    def checked_g_step(*a, **k):
        if any(p.requires_grad for p in D.parameters()):
            problems.append("D not frozen in the G phase")
        if not same_grads(last["d_grads"], grads(D.parameters())):
            problems.append("G's backward changed D's gradients")
        d_before, g_before = snapshot(D.parameters()), snapshot(G.parameters())
        out = g_step(*a, **k)
        if not same(d_before, D.parameters()):
            problems.append("G's step changed D")
        if same(g_before, G.parameters()):
            problems.append("G's step did not move G")
        last["g_grads"] = grads(G.parameters())
        return out

    trainer.optimizers["D"].step, trainer.optimizers["G"].step = checked_d_step, checked_g_step
    trainer.fit()
    assert problems == []
    assert last["d_grads"] is not None and any(g is not None and g.abs().sum() > 0 for g in last["d_grads"])
    assert all(p.requires_grad for p in D.parameters()), "D left frozen after the G phase"


def test_d_warmup_and_pretrain_phases(shapes):
    class WithL1(DCGANRecipe):
        def reconstruction(self, fake, pair):
            return {"l1": (fake - pair.target).abs().mean()}

    recipe = WithL1(DCGANConfig(size=16, base=8, z_dim=8))
    dataset = recipe.dataset(shapes)
    cfg = TrainConfig(steps=5, batch_size=8, preview=4, log_every=1, sample_every=0, pretrain_steps=2, d_warmup=2, device="cpu")
    trainer = Trainer(recipe, cfg, dataset, None, progress=False)
    phases, g0 = [], snapshot(trainer.nets["G"].parameters())
    original = trainer._log

    def log(bar):
        original(bar)
        phases.append((trainer.last_metrics["phases"], sorted(k for k in trainer.last_metrics if k.startswith("loss"))))

    trainer._log = log
    g_after_pretrain = {}
    step = trainer.train_step

    def watched(batches):
        if trainer.step == 2:
            g_after_pretrain["g"] = snapshot(trainer.nets["G"].parameters())
        return step(batches)

    trainer.train_step = watched
    trainer.fit()
    assert [p for p, _ in phases] == ["pretrain", "pretrain", "d", "d", "d+g"]
    assert phases[0][1] == ["loss_pretrain"]
    assert "loss_d" in phases[2][1] and "loss_g" not in phases[2][1]
    assert {"loss_g", "loss_g_adv", "loss_g_l1"} <= set(phases[4][1])
    assert not same(g0, g_after_pretrain["g"]), "pre-training did not move G"


def test_pretrain_without_reconstruction_is_refused(shapes):
    from gantools.errors import UserError

    with pytest.raises(UserError, match="no reconstruction loss"):
        make_trainer(shapes, pretrain_steps=2)


def test_ema_arithmetic():
    model = nn.Linear(3, 2)
    ema = EMA(model, decay=0.9)
    start = snapshot(ema.model.parameters())
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    ema.update(model, decay=0.9)
    for e, s, p in zip(ema.model.parameters(), start, model.parameters()):
        assert torch.allclose(e, 0.9 * s + 0.1 * p)
    # Ramp-up: the n-th update uses min(decay, (1 + n) / (10 + n)).
    ema = EMA(model, decay=0.999)
    assert ema.current_decay() == pytest.approx(0.1)
    ema.update(model)
    assert ema.current_decay() == pytest.approx(2 / 11)
    assert not any(p.requires_grad for p in ema.model.parameters())


def test_ema_copies_buffers():
    model = nn.BatchNorm1d(2)
    ema = EMA(model, decay=0.5)
    model.running_mean.fill_(3.0)
    ema.update(model)
    assert torch.equal(ema.model.running_mean, model.running_mean)


def state_of(trainer):
    return {
        "G": {k: v.clone() for k, v in trainer.nets["G"].state_dict().items()},
        "D": {k: v.clone() for k, v in trainer.nets["D"].state_dict().items()},
        "EMA": {k: v.clone() for k, v in trainer.ema["G"].model.state_dict().items()},
    }


def test_resume_is_exact(shapes, tmp_path):
    """Stopped at step 3 and resumed to 6 == 6 steps without a stop (CPU, fixed seed).

    Label noise, DiffAugment, R1 and LeCam are on, so every random stream (data order, z, augmentation,
    labels) and LeCam's anchors must come back exactly."""
    opts = dict(loss="bce", label_noise=0.1, label_smoothing=0.1, diffaug="color,translation,cutout", r1_gamma=0.5, r1_every=2, lecam_weight=0.3)
    straight = make_trainer(shapes, tmp_path / "straight", steps=6, checkpoint_every=3, **opts)
    straight.fit()
    first = make_trainer(shapes, tmp_path / "split", steps=3, checkpoint_every=3, **opts)
    first.fit()
    resumed = make_trainer(shapes, tmp_path / "split", resume=True, steps=6, checkpoint_every=3, **opts)
    assert resumed.step == 3
    resumed.fit()
    a, b = state_of(straight), state_of(resumed)
    for net in a:
        for key in a[net]:
            assert torch.equal(a[net][key], b[net][key]), f"{net}.{key} differs after resume"
    # The metrics log of the resumed run covers every step exactly once.
    steps = [json.loads(line)["step"] for line in (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4, 5, 6]
    # 12 images per class, batch 8: the 6 steps cross epoch boundaries, which resume must also get right.
    assert resumed.batch_index == 6


def test_same_seed_same_weights(shapes):
    a = make_trainer(shapes, steps=3)
    a.fit()
    b = make_trainer(shapes, steps=3)
    b.fit()
    assert same(a.nets["G"].parameters(), b.nets["G"].parameters())
    c = make_trainer(shapes, steps=3, seed=1)
    c.fit()
    assert not same(a.nets["G"].parameters(), c.nets["G"].parameters())


def test_nan_loss_stops_and_keeps_last_good_checkpoint(shapes, tmp_path):
    trainer = make_trainer(shapes, tmp_path / "run", steps=10, checkpoint_every=2, log_every=1)
    real_step = trainer.train_step

    def poisoned(batches):
        stats = real_step(batches)
        if trainer.step >= 3:  # from the 4th step on the discriminator loss is NaN
            stats["loss_d"] = torch.tensor(float("nan"))
        return stats

    trainer.train_step = poisoned
    with pytest.raises(TrainingDiverged, match="NaN/Inf"):
        trainer.fit()
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    assert state["step"] == 2, "the checkpoint written before the NaN must be the one kept"
    assert not (tmp_path / "run" / "model.safetensors").exists()


def test_run_folder_contents(shapes, tmp_path):
    trainer = make_trainer(shapes, tmp_path / "run", steps=4, sample_every=2, checkpoint_every=2)
    trainer.fit()
    run = tmp_path / "run"
    assert (run / "samples" / "step_0000002.png").is_file() and (run / "samples" / "step_0000004.png").is_file()
    assert (run / "loss_curve.png").is_file()
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4]
    assert {"loss_d", "loss_g", "d_acc", "steps_per_s"} <= set(rows[-1])
    assert not list(run.glob("*.tmp")) and not list(run.glob(".*"))


def test_train_config_validation():
    with pytest.raises(ValueError):
        TrainConfig(loss="nope")
    with pytest.raises(ValueError):
        TrainConfig(loss="hinge", label_smoothing=0.1)
    with pytest.raises(ValueError):
        TrainConfig(diffaug="color,zoom")
    with pytest.raises(ValueError):
        replace(TrainConfig(), steps=0)


def test_cosine_schedule_resumes_exactly_and_decays(shapes, tmp_path):
    opts = dict(lr_schedule="cosine", steps=6, checkpoint_every=3, log_every=1)
    straight = make_trainer(shapes, tmp_path / "straight", **opts)
    straight.fit()
    interrupted = make_trainer(shapes, tmp_path / "split", **opts)
    real_step = interrupted.train_step

    def stop_after_three(batches):
        if interrupted.step == 3:
            raise KeyboardInterrupt  # killed right after the step-3 checkpoint
        return real_step(batches)

    interrupted.train_step = stop_after_three
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit()
    resumed = make_trainer(shapes, tmp_path / "split", resume=True, **opts)
    resumed.fit()
    a, b = state_of(straight), state_of(resumed)
    assert all(torch.equal(a[n][k], b[n][k]) for n in a for k in a[n])
    lrs = [json.loads(line)["lr_G"] for line in (tmp_path / "straight" / "metrics.jsonl").read_text().splitlines()]
    assert lrs[0] == pytest.approx(2e-4) and all(x > y for x, y in zip(lrs, lrs[1:]))


def test_linear_schedule_holds_then_falls_to_zero(shapes, tmp_path):
    trainer = make_trainer(shapes, tmp_path / "lin", lr_schedule="linear", lr_decay_fraction=0.5, steps=8)
    factors = []
    for step in range(8):
        trainer.step = step
        factors.append(trainer._lr_factor(trainer.phases[0]))
    assert factors == pytest.approx([1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25])
    with pytest.raises(ValueError, match="lr_decay_fraction"):
        TrainConfig(lr_schedule="linear", lr_decay_fraction=0.0)


def test_init_starts_from_a_trained_generator(shapes, tmp_path):
    from gantools.files import weights
    from gantools.train.runs import train

    base = {"size": 16, "base": 8, "z_dim": 8, "batch_size": 8, "preview": 4, "sample_every": 0, "device": "cpu"}
    first = train("dcgan", str(shapes), tmp_path / "a", {**base, "steps": 2}, progress=False, say=lambda m: None)
    recipe = DCGANRecipe(DCGANConfig(size=16, base=8, z_dim=8))
    trainer = Trainer(recipe, TrainConfig(steps=1, batch_size=8, preview=4, init=str(first), device="cpu", ema_decay=0), recipe.dataset(shapes), None, progress=False)
    loaded = weights.load(first)
    assert all(torch.equal(p, q) for p, q in zip(trainer.nets["G"].state_dict().values(), loaded.generator.state_dict().values()))
    with pytest.raises(Exception, match="differs from this run's settings"):
        Trainer(DCGANRecipe(DCGANConfig(size=16, base=16, z_dim=8, color="rgb")), TrainConfig(steps=1, batch_size=8, preview=4, init=str(first), device="cpu"),
                recipe.dataset(shapes), None, progress=False)


def test_trainer_logs_and_checkpoints_the_anchors(shapes, tmp_path):
    trainer = make_trainer(shapes, tmp_path / "run", loss="hinge", lecam_weight=0.3, steps=3, checkpoint_every=3)
    trainer.fit()
    lines = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert all("lecam" in line for line in lines)
    saved = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)["adversary"]["lecam"]["D"]
    assert saved == trainer.adversary.lecam["D"].state_dict() and saved["anchor_real"] is not None
    plain = make_trainer(shapes, loss="hinge", steps=3)
    plain.fit()
    assert plain.adversary.lecam == {}  # off by default
    assert not same(trainer.nets["D"].parameters(), plain.nets["D"].parameters())  # the penalty reaches D's update


def test_a_checkpoint_from_before_named_networks_resumes(shapes, tmp_path):
    """A run checkpointed by the one-G-one-D trainer (format 1: G, D, opt_g, opt_d, ema, d_updates, lecam)
    continues exactly as the same run checkpointed today."""
    import shutil

    opts = dict(steps=3, checkpoint_every=3, r1_gamma=0.5, r1_every=2, lecam_weight=0.3, loss="hinge")
    make_trainer(shapes, tmp_path / "new", **opts).fit()
    shutil.copytree(tmp_path / "new", tmp_path / "old")
    state = torch.load(tmp_path / "new" / "checkpoint.pt", weights_only=True)
    old = {k: state[k] for k in ("recipe", "classes", "step", "batch_index", "world_size", "rng", "last_metrics")}
    old.update(format=1, G=state["networks"]["G"], D=state["networks"]["D"], opt_g=state["optimizers"]["G"], opt_d=state["optimizers"]["D"],
               ema=state["ema"]["G"], d_updates=state["adversary"]["d_updates"]["D"], lecam=state["adversary"]["lecam"]["D"])
    torch.save(old, tmp_path / "old" / "checkpoint.pt")
    a = make_trainer(shapes, tmp_path / "new", resume=True, **{**opts, "steps": 5})
    a.fit()
    b = make_trainer(shapes, tmp_path / "old", resume=True, **{**opts, "steps": 5})  # after a: resuming restores the global RNG
    b.fit()
    sa, sb = state_of(a), state_of(b)
    assert all(torch.equal(sa[n][k], sb[n][k]) for n in sa for k in sa[n])
