"""The v2 contract with any number of networks: phase isolation, exact resume with four networks and a
recipe state, named export, and every declaration mistake ending in one line and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from gantools.errors import UserError
from gantools.recipe import load_recipe_class
from gantools.train.trainconfig import TrainConfig
from gantools.train.trainer import Trainer

FOUR = Path(__file__).parent / "recipes" / "cycle_toy.py"


def cycle_trainer(data, out=None, resume=False, **train):
    cls = load_recipe_class(str(FOUR))
    recipe = cls(cls.Config())
    settings = dict(steps=4, batch_size=4, preview=4, log_every=1, sample_every=0, checkpoint_every=100, device="cpu", loss="lsgan")
    return Trainer(recipe, TrainConfig(**{**settings, **train}), recipe.dataset(data), out, resume=resume, progress=False)


def params(net):
    return [p.detach().clone() for p in net.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_a_phase_moves_only_its_own_networks(shapes):
    """Checked at every phase of every step: only the phase's networks take gradients and change."""
    trainer = cycle_trainer(shapes, ema_decay=0.99, diffaug="color,translation")
    problems, seen = [], []

    def watched(phase):
        def loss(ctx):
            before = {name: params(net) for name, net in trainer.nets.items()}
            grads_before = {name: [p.grad for p in net.parameters()] for name, net in trainer.nets.items()}
            on = {name for name, net in trainer.nets.items() if any(p.requires_grad for p in net.parameters())}
            if on != set(phase.trains):
                problems.append(f"{phase.name}: gradients on for {sorted(on)}")
            seen.append((phase.name, before, grads_before))
            return phase.loss(ctx)
        return replace(phase, loss=loss)

    trainer.phases = [watched(p) for p in trainer.phases]
    original = trainer.train_step

    def step_and_check(batches):
        stats = original(batches)
        after = {name: params(net) for name, net in trainer.nets.items()}
        # Phase g ran before phase d in this step: g's snapshot vs d's shows what g changed, d's vs the end what d changed.
        (g_name, g_before, _), (d_name, d_before, d_grads) = seen[-2:]
        for name in trainer.nets:
            moved_in_g, moved_in_d = not same(g_before[name], d_before[name]), not same(d_before[name], after[name])
            if moved_in_g != (name in ("G_AB", "G_BA")):
                problems.append(f"step {trainer.step}: {name} {'moved' if moved_in_g else 'did not move'} in phase g")
            if moved_in_d != (name in ("D_A", "D_B")):
                problems.append(f"step {trainer.step}: {name} {'moved' if moved_in_d else 'did not move'} in phase d")
        for name in ("G_AB", "G_BA"):  # d's backward must not reach the generators' gradients
            if any((a is None) != (b is None) or (a is not None and not torch.equal(a, b))
                   for a, b in zip(d_grads[name], [p.grad for p in trainer.nets[name].parameters()])):
                problems.append(f"step {trainer.step}: phase d changed {name}'s gradients")
        return stats

    trainer.train_step = step_and_check
    trainer.fit()
    assert problems == []
    assert [name for name, _, _ in seen] == ["g", "d"] * 4
    assert all(p.requires_grad for net in trainer.nets.values() for p in net.parameters()), "a network was left frozen"


def state_of(trainer):
    out = {f"net.{n}": {k: v.clone() for k, v in net.state_dict().items()} for n, net in trainer.nets.items()}
    out.update({f"ema.{n}": {k: v.clone() for k, v in e.model.state_dict().items()} for n, e in trainer.ema.items()})
    out.update({f"opt.{n}": {str(i): s["exp_avg"].clone() for i, s in o.state_dict()["state"].items()} for n, o in trainer.optimizers.items()})
    out["pools"] = {k: v.clone() for k, v in trainer.recipe.state_dict()["pools"].items()}
    return out


def test_resume_is_exact_with_four_networks(shapes, tmp_path):
    """Stopped at step 5 and resumed to 9 == 9 steps straight, crossing an epoch boundary (24 images, batch 4:
    6 batches an epoch), with DiffAugment, label noise, R1 and LeCam on both discriminators, the EMA of both
    generators, and the recipe's image pools (its own state) all having to come back exactly."""
    opts = dict(diffaug="color,translation,cutout", label_noise=0.1, r1_gamma=0.5, r1_every=2, lecam_weight=0.3, ema_decay=0.99,
                checkpoint_every=5)
    straight = cycle_trainer(shapes, tmp_path / "straight", steps=9, **opts)
    straight.fit()
    first = cycle_trainer(shapes, tmp_path / "split", steps=5, **opts)
    first.fit()
    resumed = cycle_trainer(shapes, tmp_path / "split", resume=True, steps=9, **opts)
    assert resumed.step == 5 and resumed.recipe.pools["A"] is not None
    resumed.fit()
    a, b = state_of(straight), state_of(resumed)
    assert set(a) == set(b) and len(a) == 4 + 2 + 4 + 1
    for part in a:
        for key in a[part]:
            assert torch.equal(a[part][key], b[part][key]), f"{part}.{key} differs after resume"
    assert resumed.batch_index == 9
    rows = [json.loads(line) for line in (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == list(range(1, 10))
    assert {"loss_g", "loss_g_cycle", "loss_d", "loss_d_a_lecam", "d_acc_D_A", "d_acc_D_B", "lr_G_AB", "lr_D_B"} <= set(rows[-1])


def test_four_networks_train_export_and_run_from_the_cli(shapes, tmp_path):
    from gantools.files import weights

    run = tmp_path / "run"
    cli = [sys.executable, "-m", "gantools"]
    done = subprocess.run([*cli, "train", str(FOUR), "--data", str(shapes), "--out", str(run), "--steps", "3", "--quiet"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    card = json.loads((run / "model.json").read_text())
    assert list(card["networks"]) == ["G_AB", "G_BA"]  # the exported ones, not the discriminators
    with pytest.raises(UserError, match="never imports code by itself"):  # the card names a recipe file: not imported unasked
        weights.load(run)
    loaded = weights.load(run, recipe_file=FOUR)
    assert set(loaded.networks) == {"G_AB", "G_BA"}
    ran = subprocess.run([*cli, "run", str(run), str(shapes / "disc"), str(tmp_path / "out"), "--quiet", "--recipe", str(FOUR)],
                         capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert len(list((tmp_path / "out").glob("*.png"))) == 12


def test_a_card_that_does_not_match_its_file_is_refused(shapes, tmp_path):
    from gantools.files import weights

    run = tmp_path / "run"
    trainer_cmd = [sys.executable, "-m", "gantools", "train", str(FOUR), "--data", str(shapes), "--out", str(run), "--steps", "1", "--quiet"]
    assert subprocess.run(trainer_cmd, capture_output=True).returncode == 0
    card = json.loads((run / "model.json").read_text())
    for networks, message in (({"G_AB": 1}, "holds network\\(s\\) G_BA that its card does not name"),
                              ({**card["networks"], "Q": 1}, "lacks network\\(s\\) Q that its card names")):
        (run / "model.json").write_text(json.dumps({**card, "networks": networks}))
        with pytest.raises(UserError, match=message):
            weights.load(run, recipe_file=FOUR)
        ran = subprocess.run([sys.executable, "-m", "gantools", "run", str(run), str(shapes), str(tmp_path / "o"), "--recipe", str(FOUR)],
                             capture_output=True, text=True)
        assert ran.returncode == 2 and ran.stderr.count("\n") == 1 and "error:" in ran.stderr


BAD_RECIPES = {
    "unknown network": ("Phase('g', ('G_AB', 'G_XY'), self.g_loss, cfg.lr_g), Phase('d', ('D_A', 'D_B'), self.d_loss, cfg.lr_d, new_batch=False)",
                        "uses network 'G_XY', which the recipe did not build"),
    "inconsistent optimizer": ("Phase('g', ('G_AB', 'G_BA'), self.g_loss, cfg.lr_g), Phase('g2', ('G_AB',), self.g_loss, cfg.lr_g * 2), "
                               "Phase('d', ('D_A', 'D_B'), self.d_loss, cfg.lr_d, new_batch=False)",
                               "train network 'G_AB' with different optimizer settings"),
    "rate scaled for a network not trained": ("Phase('g', ('G_AB', 'G_BA'), self.g_loss, cfg.lr_g, lr_scale=(('D_A', 0.1),)), "
                                              "Phase('d', ('D_A', 'D_B'), self.d_loss, cfg.lr_d, new_batch=False)",
                                              "lr_scale needs networks the phase trains"),
    "no phases": ("", "declares no training phases"),
    "same name twice": ("Phase('g', ('G_AB', 'G_BA'), self.g_loss, cfg.lr_g), Phase('g', ('D_A', 'D_B'), self.d_loss, cfg.lr_d)",
                        "two phases are named 'g'"),
}


@pytest.mark.parametrize("case", sorted(BAD_RECIPES))
def test_bad_phase_declarations_end_in_one_line(shapes, tmp_path, case):
    phases, message = BAD_RECIPES[case]
    recipe = tmp_path / "bad.py"
    recipe.write_text(f"import sys\nsys.path.insert(0, {str(FOUR.parent)!r})\nfrom cycle_toy import CycleToy\nfrom gantools.train.phases import Phase\n\n"
                      f"class Bad(CycleToy):\n    def phases(self, cfg):\n        return [{phases}]\n")
    done = subprocess.run([sys.executable, "-m", "gantools", "train", str(recipe), "--data", str(shapes), "--out", str(tmp_path / "r"),
                           "--steps", "1", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr


def test_colliding_network_names_end_in_one_line(shapes, tmp_path):
    recipe = tmp_path / "bad.py"
    recipe.write_text(f"import sys\nsys.path.insert(0, {str(FOUR.parent)!r})\nfrom cycle_toy import CycleToy\n\n"
                      "class Bad(CycleToy):\n    def build(self):\n        nets = super().build()\n        return {**nets, 'g_ab': nets['G_BA']}\n")
    done = subprocess.run([sys.executable, "-m", "gantools", "train", str(recipe), "--data", str(shapes), "--out", str(tmp_path / "r"),
                           "--steps", "1", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "'G_AB' and 'g_ab' collide" in done.stderr


def test_keeping_a_graph_is_only_for_a_later_phase_of_the_step(shapes):
    """The two-player d phase runs G with gradients on only at steps where the g phase follows it."""
    from gantools.recipes.dcgan import DCGANConfig, DCGANRecipe

    recipe = DCGANRecipe(DCGANConfig(size=16, base=8, z_dim=8))
    trainer = Trainer(recipe, TrainConfig(steps=3, batch_size=8, preview=4, d_warmup=2, sample_every=0, device="cpu"),
                      recipe.dataset(shapes), None, progress=False)
    graph = []
    d_phase = trainer.phases[0]

    def d_loss(ctx):
        terms = d_phase.loss(ctx)
        graph.append(ctx.scratch["fake"].requires_grad)
        return terms

    trainer.phases[0] = replace(d_phase, loss=d_loss)
    trainer.fit()
    assert graph == [False, False, True]


def test_networks_that_depend_on_the_data_are_not_built_before_it_is_read(shapes):
    """dataset() runs first and settles what is chosen from the data; building before it is refused, not guessed."""
    from gantools.recipes.augment.recipe import AugmentConfig, AugmentRecipe
    from gantools.recipes.dcgan import DCGANConfig, DCGANRecipe

    for recipe, message in ((DCGANRecipe(DCGANConfig(size=16)), "color is 'auto'"),
                            (AugmentRecipe(AugmentConfig(color="rgb"), classes=["disc", "square"]), "size is 0")):
        with pytest.raises(UserError, match=message):
            recipe.build()
    recipe = DCGANRecipe(DCGANConfig(size=16))
    recipe.dataset(shapes)
    assert recipe.config.color == "rgb" and recipe.build()["G"](torch.randn(2, 100)).shape == (2, 3, 16, 16)
