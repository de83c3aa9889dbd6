"""THE adversarial trainer: one loop that every recipe uses.

One step is two phases, in this order:
  1. D: real pairs are "real", G(condition).detach() is "fake"; D's loss (+ R1 / gradient penalty); step D.
  2. G: D frozen (requires_grad_(False)); G's fakes judged by D as "real" + the recipe's reconstruction
     terms; step G; D unfrozen; EMA of G updated.
Before the adversarial phase come optional G pre-training (reconstruction loss only) and D warm-up.
The trainer knows nothing of colours, scales or labels: the recipe turns batches into (condition, target).
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.distributed import DistributedSampler
from tqdm.auto import tqdm

from gantools import checkpoint, distributed, rng
from gantools.device import resolve_device
from gantools.diffaug import diff_augment, parse_policy
from gantools.ema import EMA
from gantools.errors import UserError
from gantools.lecam import LeCam
from gantools.losses import LABELLED_LOSSES, d_accuracy, d_loss, g_loss, gradient_penalty, r1_penalty
from gantools.recipe import Recipe
from gantools.runlog import MetricsLog, plot_losses, save_grid
from gantools.trainconfig import TrainConfig


class TrainingDiverged(RuntimeError):
    """A loss became NaN or Inf: the run stops; the last good checkpoint is kept."""


@dataclass
class FitResult:
    generator: nn.Module  # the EMA generator when EMA is on, else G; unwrapped, in eval mode
    step: int
    last_metrics: dict


class Trainer:
    def __init__(
        self,
        recipe: Recipe,
        config: TrainConfig,
        dataset: Dataset,
        out_dir: str | Path | None = None,
        resume: bool = False,
        progress: bool = True,
    ):
        self.recipe, self.cfg, self.dataset = recipe, config, dataset
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.device = resolve_device(config.device)
        self.dist = distributed.init(self.device.type)
        if self.dist.enabled and self.device.type == "cuda":
            self.device = torch.device("cuda", self.dist.local_rank)
        self.is_main = self.dist.is_main
        self.progress = progress and self.is_main
        self.amp = config.amp and self.device.type == "cuda"
        self.policy = parse_policy(config.diffaug)
        if config.pretrain_steps and not self._has_reconstruction():
            raise UserError(f"pretrain_steps={config.pretrain_steps}, but recipe '{recipe.name}' has no reconstruction loss")

        # Same seed on every rank for the nets (DDP also broadcasts them), then a per-rank stream.
        rng.seed_everything(config.seed)
        self.G = recipe.build_generator().to(self.device)
        if config.init and not resume:
            self._init_generator(config.init)
        self.D = recipe.build_discriminator().to(self.device)
        self.ema = EMA(self.G, config.ema_decay) if config.ema_decay > 0 else None
        betas = (config.beta1, config.beta2)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=config.lr_g, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=config.lr_d, betas=betas)
        self.Gt = distributed.wrap(self.G, self.dist)
        self.Dt = distributed.wrap(self.D, self.dist)
        gen = torch.Generator().manual_seed(config.seed)
        self.preview_condition = recipe.preview_condition(dataset, config.preview, self.device, gen)
        rng.seed_everything(config.seed + self.dist.rank)

        self.step = 0
        self.batch_index = 0  # batches drawn so far: with the seed, fixes where the data order resumes
        self.d_updates = 0
        self.lecam = LeCam() if config.lecam_weight > 0 else None
        self.batch_size = self._effective_batch_size()
        self._bad = torch.zeros((), dtype=torch.bool, device=self.device)
        self._sums: dict[str, torch.Tensor] = {}
        self._count = 0
        self._last_log_time = time.perf_counter()
        self._last_log_step = 0
        self.last_metrics: dict = {}
        self.last_good_checkpoint: int | None = None
        # Called with the generator when pre-training ends and adversarial training begins.
        self.on_pretrained: Callable[[nn.Module, int], None] | None = None
        if resume:
            self._load_checkpoint()
        self.metrics = MetricsLog(self.out_dir / "metrics.jsonl", self.step if resume else None) if self.out_dir and self.is_main else None

    def _init_generator(self, ref: str) -> None:
        """Fine-tuning: G (and so its EMA) starts from a trained model of the same recipe and architecture."""
        from gantools import weights

        loaded = weights.load(ref, expect_recipe=self.recipe.name)
        try:
            self.G.load_state_dict(loaded.generator.state_dict())
        except RuntimeError:
            raise UserError(f"--init '{ref}': its generator's architecture differs from this run's settings") from None

    # --- the loop -----------------------------------------------------------------------------------
    def fit(self) -> FitResult:
        cfg = self.cfg
        batches = self._batches()
        # Redrawn at most every 0.1 s on a terminal, every 30 s into a log file.
        interval = 0.1 if sys.stderr.isatty() else 30.0
        bar = tqdm(total=cfg.steps, initial=self.step, disable=not self.progress, desc=f"train {self.recipe.name}",
                   unit="step", dynamic_ncols=True, mininterval=interval)
        self._last_log_time, self._last_log_step = time.perf_counter(), self.step
        deadline = time.perf_counter() + 60.0 * cfg.minutes if cfg.minutes else None
        out_of_time = False
        try:
            while self.step < cfg.steps and not out_of_time:
                self._set_learning_rates()
                if self.step < cfg.pretrain_steps:
                    stats = self._pretrain_step(next(batches))
                else:
                    adversarial = self.step >= cfg.pretrain_steps + cfg.d_warmup
                    stats = self._adversarial_step(batches, train_g=adversarial)
                self.step += 1
                self._accumulate(stats)
                bar.update(1)
                if deadline is not None and self.step % 10 == 0:  # every rank stops at the same step
                    out_of_time = distributed.any_rank(self.dist, torch.tensor(time.perf_counter() > deadline))
                last = self.step == cfg.steps or out_of_time
                if self.step % cfg.log_every == 0 or last:
                    self._log(bar)
                if self.is_main and self.out_dir and ((cfg.sample_every and self.step % cfg.sample_every == 0) or last):
                    self.save_preview(self.out_dir / "samples" / f"step_{self.step:07d}.png")
                if self.step % cfg.checkpoint_every == 0 or last:
                    self._save_checkpoint()
                if self.step == cfg.pretrain_steps and not last and self.on_pretrained is not None and self.is_main:
                    self.on_pretrained(self.final_generator(), self.step)  # the reconstruction-only model, kept
                    self.G.train()
        finally:
            bar.close()
        if self.is_main and self.out_dir:
            plot_losses(self.out_dir / "metrics.jsonl", self.out_dir / "loss_curve.png")
        return FitResult(self.final_generator(), self.step, self.last_metrics)

    def _set_learning_rates(self) -> None:
        """A function of the step alone, so a resumed run continues the same curve. Cosine restarts once at
        the end of pre-training: each phase decays from the full rate to 0."""
        factor = 1.0
        if self.cfg.lr_schedule == "cosine":
            pre, total = self.cfg.pretrain_steps, self.cfg.steps
            start, length = (0, pre) if self.step < pre else (pre, total - pre)
            factor = 0.5 * (1.0 + math.cos(math.pi * (self.step - start) / max(1, length)))
        for opt, lr in ((self.opt_g, self.cfg.lr_g), (self.opt_d, self.cfg.lr_d)):
            for group in opt.param_groups:
                group["lr"] = lr * factor

    def _pretrain_step(self, batch) -> dict[str, torch.Tensor]:
        pair = self.recipe.make_pair(batch, self.device)
        with self._autocast():
            fake = self.recipe.generate(self.Gt, pair.condition)
            recon = self.recipe.reconstruction(fake, pair)
            loss = sum(recon.values())
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self._update_ema()
        return {"loss_g": loss.detach(), **{f"loss_{k}": v.detach() for k, v in recon.items()}}

    def _adversarial_step(self, batches: Iterator, train_g: bool) -> dict[str, torch.Tensor]:
        cfg, recipe = self.cfg, self.recipe
        stats: dict[str, torch.Tensor] = {}
        for k in range(cfg.d_steps):
            pair = recipe.make_pair(next(batches), self.device)
            keep_graph = train_g and k == cfg.d_steps - 1  # the last D batch's fakes also train G
            with self._autocast():
                if keep_graph:
                    fake = recipe.generate(self.Gt, pair.condition)
                else:
                    with torch.no_grad():
                        fake = recipe.generate(self.G, pair.condition)
                real_x, real_kw = recipe.d_view(pair.condition, pair.target)
                fake_x, fake_kw = recipe.d_view(pair.condition, fake.detach())
                use_r1 = cfg.r1_gamma > 0 and self.d_updates % cfg.r1_every == 0
                if use_r1:
                    real_x = real_x.detach().requires_grad_(True)
                real_logits = self.Dt(diff_augment(real_x, self.policy), **real_kw).float()
                fake_logits = self.Dt(diff_augment(fake_x, self.policy), **fake_kw).float()
                real_t, fake_t = self._targets(real_logits, fake_logits)
                loss_d = d_loss(cfg.loss, real_logits, fake_logits, real_t, fake_t)
                if cfg.loss == "wgan-gp":
                    critic = lambda x: self.Dt(diff_augment(x, self.policy), **real_kw).float()  # noqa: E731
                    gp = gradient_penalty(critic, real_x, fake_x)
                    loss_d = loss_d + cfg.gp_weight * gp
                    stats["gp"] = gp.detach()
                if self.lecam is not None:  # under DDP each process keeps its own anchors (rank 0's are checkpointed)
                    self.lecam.update(real_logits, fake_logits)
                    lecam = self.lecam.penalty(real_logits, fake_logits)
                    loss_d = loss_d + cfg.lecam_weight * lecam
                    stats["lecam"] = lecam.detach()
                if use_r1:
                    r1 = r1_penalty(real_logits, real_x)
                    loss_d = loss_d + (cfg.r1_gamma / 2) * cfg.r1_every * r1
                    stats["r1"] = r1.detach()
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()
            self.d_updates += 1
        stats["loss_d"] = loss_d.detach()
        stats["d_acc"] = d_accuracy(real_logits.detach(), fake_logits.detach(), self.cfg.loss)
        if not train_g:
            return stats

        self.D.requires_grad_(False)  # G's step must not move D
        with self._autocast():
            fake_x, fake_kw = recipe.d_view(pair.condition, fake)
            # The bare module, not the DDP wrapper: D takes no gradient here, so nothing to all-reduce.
            logits = self.D(diff_augment(fake_x, self.policy), **fake_kw).float()
            loss_adv = g_loss(cfg.loss, logits)
            recon = recipe.reconstruction(fake, pair)
            loss_g = loss_adv + sum(recon.values()) if recon else loss_adv
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()
        self.D.requires_grad_(True)
        self._update_ema()
        stats["loss_g"] = loss_g.detach()
        stats["loss_adv"] = loss_adv.detach()
        stats.update({f"loss_{k}": v.detach() for k, v in recon.items()})
        return stats

    def _targets(self, real_logits: torch.Tensor, fake_logits: torch.Tensor):
        """D's targets: one-sided smoothing lowers "real" to 1 - s; noisy labels flip a random share."""
        cfg = self.cfg
        if cfg.loss not in LABELLED_LOSSES or not (cfg.label_smoothing or cfg.label_noise):
            return 1.0, 0.0
        real_value = 1.0 - cfg.label_smoothing
        real_t = torch.full_like(real_logits, real_value)
        fake_t = torch.zeros_like(fake_logits)
        if cfg.label_noise:
            real_t = torch.where(torch.rand_like(real_t) < cfg.label_noise, torch.zeros_like(real_t), real_t)
            fake_t = torch.where(torch.rand_like(fake_t) < cfg.label_noise, torch.full_like(fake_t, real_value), fake_t)
        return real_t, fake_t

    def _update_ema(self) -> None:
        if self.ema is not None:
            self.ema.update(self.G, decay=0.0 if self.step < self.cfg.ema_start else None)

    def _autocast(self):
        return torch.autocast("cuda", dtype=torch.bfloat16) if self.amp else contextlib.nullcontext()

    # --- data -----------------------------------------------------------------------------------------
    def _effective_batch_size(self) -> int:
        per_rank = len(self.dataset) // self.dist.world_size
        if per_rank < 1:
            raise UserError(f"{len(self.dataset)} image(s) cannot be shared among {self.dist.world_size} processes")
        if per_rank < self.cfg.batch_size:
            if self.is_main:
                tqdm.write(f"note: batch size lowered from {self.cfg.batch_size} to {per_rank}: the data holds only that many images per process")
            return per_rank
        return self.cfg.batch_size

    def _batches(self) -> Iterator:
        """An endless stream of batches in an order fixed by (seed, epoch): a resumed run continues it exactly."""
        sampler = DistributedSampler(
            self.dataset, num_replicas=self.dist.world_size, rank=self.dist.rank, shuffle=True, seed=self.cfg.seed, drop_last=True
        )
        bs = self.batch_size
        per_epoch = len(sampler) // bs
        in_memory = getattr(self.dataset, "cache", None) is not None
        workers = 0 if in_memory else self.cfg.workers  # decoded images in memory need no worker processes
        while True:
            epoch, offset = divmod(self.batch_index, per_epoch)
            sampler.set_epoch(epoch)
            indices = list(sampler)[offset * bs : per_epoch * bs]
            loader = DataLoader(
                self.dataset, batch_size=bs, sampler=indices, drop_last=True, num_workers=workers, pin_memory=self.device.type == "cuda"
            )
            for batch in loader:
                self.batch_index += 1
                yield batch

    # --- logging, samples, checkpoints -----------------------------------------------------------------
    def _accumulate(self, stats: dict[str, torch.Tensor]) -> None:
        for key, value in stats.items():
            self._sums[key] = self._sums.get(key, 0) + value.float()
            if key.startswith("loss"):
                self._bad |= ~torch.isfinite(value)
        self._count += 1

    def _check_finite(self) -> None:
        if distributed.any_rank(self.dist, self._bad):
            where = f"{self.out_dir / checkpoint.CHECKPOINT_NAME} (step {self.last_good_checkpoint})" if self.last_good_checkpoint is not None and self.out_dir else "none written yet"
            raise TrainingDiverged(
                f"a loss became NaN/Inf before step {self.step}; training stopped. Last good checkpoint: {where}. "
                "Try lower learning rates, --set loss=hinge, or --set r1_gamma=1"
            )

    def _log(self, bar: tqdm) -> None:
        self._check_finite()
        if not self._count:
            return
        keys = sorted(self._sums)
        values = torch.stack([self._sums[k] / self._count for k in keys]).tolist() if keys else []
        now = time.perf_counter()
        record = {"step": self.step, **{k: round(v, 6) for k, v in zip(keys, values)}}
        record["steps_per_s"] = round((self.step - self._last_log_step) / max(now - self._last_log_time, 1e-9), 4)
        record["lr_g"] = float(self.opt_g.param_groups[0]["lr"])
        record["phase"] = "pretrain" if self.step <= self.cfg.pretrain_steps else ("warmup" if self.step <= self.cfg.pretrain_steps + self.cfg.d_warmup else "adversarial")
        self.last_metrics = record
        self._sums, self._count = {}, 0
        self._last_log_time, self._last_log_step = now, self.step
        if self.metrics is not None:
            self.metrics.write(record)
        bar.set_postfix({k: f"{v:.3f}" for k, v in record.items() if k.startswith(("loss_d", "loss_g", "d_acc"))}, refresh=False)

    def final_generator(self) -> nn.Module:
        return (self.ema.model if self.ema is not None else self.G).eval()

    @torch.no_grad()
    def save_preview(self, path: Path) -> None:
        generator = self.final_generator()
        condition, extra = self.preview_condition
        images, nrow = self.recipe.preview(generator, condition, extra)
        save_grid(images, path, nrow=nrow)
        if self.ema is None:
            self.G.train()

    def _save_checkpoint(self) -> None:
        self._check_finite()
        rng_states = distributed.gather_objects(self.dist, rng.get_state())
        if self.is_main and self.out_dir:
            state = {
                "format": 1,
                "recipe": self.recipe.name,
                "classes": list(self.recipe.classes),
                "step": self.step,
                "batch_index": self.batch_index,
                "d_updates": self.d_updates,
                "world_size": self.dist.world_size,
                "G": self.G.state_dict(),
                "D": self.D.state_dict(),
                "ema": self.ema.state_dict() if self.ema is not None else None,
                "lecam": self.lecam.state_dict() if self.lecam is not None else None,
                "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(),
                "rng": rng_states,
                "last_metrics": {k: v for k, v in self.last_metrics.items() if isinstance(v, (int, float, str))},
            }
            checkpoint.save(self.out_dir / checkpoint.CHECKPOINT_NAME, state)
        self.last_good_checkpoint = self.step
        distributed.barrier(self.dist)

    def _load_checkpoint(self) -> None:
        path = self.out_dir / checkpoint.CHECKPOINT_NAME if self.out_dir else None
        if path is None:
            raise UserError("resume needs a run folder")
        state = checkpoint.load(path, map_location=self.device)
        if state.get("recipe") != self.recipe.name:
            raise UserError(f"checkpoint '{path}' is from recipe '{state.get('recipe')}', not '{self.recipe.name}'")
        if list(state.get("classes", [])) != list(self.recipe.classes):
            raise UserError(f"checkpoint '{path}' was trained on classes {state.get('classes')}, the data now has {self.recipe.classes}")
        try:
            self.G.load_state_dict(state["G"])
            self.D.load_state_dict(state["D"])
            if self.ema is not None:
                self.ema.load_state_dict(state["ema"] if state.get("ema") is not None else {"model": state["G"], "updates": 0})
            self.opt_g.load_state_dict(state["opt_g"])
            self.opt_d.load_state_dict(state["opt_d"])
            if self.lecam is not None and state.get("lecam") is not None:
                self.lecam.load_state_dict(state["lecam"])  # else: seeded again from the next batch
        except (RuntimeError, ValueError, KeyError) as exc:
            raise UserError(f"checkpoint '{path}' does not fit this recipe's networks: {str(exc).splitlines()[0]}") from None
        self.step, self.batch_index, self.d_updates = state["step"], state["batch_index"], state["d_updates"]
        self.last_good_checkpoint = self.step
        self.last_metrics = dict(state.get("last_metrics", {}))
        states = state.get("rng") or []
        if state.get("world_size") == self.dist.world_size and self.dist.rank < len(states):
            rng.set_state(states[self.dist.rank])
        else:
            rng.seed_everything(self.cfg.seed + self.dist.rank + 7919 * self.step)  # other world size: fresh streams

    def _has_reconstruction(self) -> bool:
        return type(self.recipe).reconstruction is not Recipe.reconstruction
