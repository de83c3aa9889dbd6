"""THE trainer: one loop that every recipe uses, whatever its networks.

A recipe builds named networks and lists its phases (gantools.train.phases). Each step runs the phases
active at that step, in order; for each: gradients on for the networks it trains (everything else frozen),
the DDP-wrapped module for those and the bare module for the rest, the recipe's loss terms summed,
backward, one optimizer step per trained network, the EMA of those the recipe keeps one of. Checkpoints
hold every network, optimizer, EMA, the adversarial state, the recipe's own state and every RNG, so a
resumed run continues bit for bit. The trainer knows no task.
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

from gantools.progress import progress

from gantools.data.folders import ImageData
from gantools.device import resolve_device
from gantools.errors import TrainingDiverged, UserError
from gantools.recipe import Recipe
from gantools.train import checkpoint, distributed, rng
from gantools.train.adversarial import Adversary
from gantools.train.ema import EMA
from gantools.train.phases import Phase, PhaseContext, check_networks, check_phases
from gantools.train.health import HealthWatch
from gantools.train.runlog import MetricsLog, plot_losses, save_grid
from gantools.train.trainconfig import TrainConfig

CHECKPOINT_FORMAT = 2


@dataclass
class FitResult:
    networks: dict[str, nn.Module]  # the exported networks (EMA copies where kept), unwrapped, in eval mode
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
        say: Callable[[str], None] | None = None,
    ):
        self.recipe, self.cfg, self.dataset = recipe, config, dataset
        # Symptoms of a failing run (D at chance, collapsed samples), said once each and kept for the model card.
        self.health = HealthWatch(say or (lambda line: print(line, file=sys.stderr, flush=True)), dict(recipe.training_advice))
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.device = resolve_device(config.device)
        self.dist = distributed.init(self.device.type)
        if self.dist.enabled and self.device.type == "cuda":
            self.device = torch.device("cuda", self.dist.local_rank)
        self.is_main = self.dist.is_main
        self.progress = progress and self.is_main
        self.amp = config.amp and self.device.type == "cuda"

        # Same seed on every rank for the nets (DDP also broadcasts them), then a per-rank stream.
        rng.seed_everything(config.seed)
        built = recipe.build()
        check_networks(built)
        self.phases: list[Phase] = recipe.phases(config)
        ema_names = tuple(recipe.ema_networks) if config.ema_decay > 0 else ()
        check_phases(self.phases, built, ema_names, tuple(recipe.export_networks))
        memory_format = torch.channels_last if config.channels_last else torch.contiguous_format
        self.nets: dict[str, nn.Module] = {name: net.to(self.device, memory_format=memory_format) for name, net in built.items()}
        if not resume:
            recipe.pretrained(self.nets)
        self.init_skipped: list[str] = []
        if config.init and not resume:
            self._init_networks(config.init)
        self.ema = {name: EMA(self.nets[name], config.ema_decay) for name in ema_names}
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.base_lr: dict[str, float] = {}
        for phase in self.phases:
            for name in phase.trains:
                if name not in self.optimizers:
                    self.optimizers[name] = torch.optim.Adam(self.nets[name].parameters(), lr=phase.lr_for(name), betas=tuple(phase.betas))
                    self.base_lr[name] = phase.lr_for(name)
        self.wrapped = {name: distributed.wrap(self.nets[name], self.dist) if name in self.optimizers else self.nets[name]
                        for name in self.nets}
        self.adversary = Adversary(config)
        gen = torch.Generator().manual_seed(config.seed)
        self.preview_condition = recipe.preview_condition(dataset, config.preview, self.device, gen)
        rng.seed_everything(config.seed + self.dist.rank)

        self.step = 0
        self.batch_index = 0  # batches drawn so far: with the seed, fixes where the data order resumes
        self.batch_size = self._effective_batch_size()
        self._bad = torch.zeros((), dtype=torch.bool, device=self.device)
        self._sums: dict[str, torch.Tensor] = {}
        self._count = 0
        self._last_log_time = time.perf_counter()
        self._last_log_step = 0
        self.last_metrics: dict = {}
        self.last_good_checkpoint: int | None = None
        # Called with the exported networks when pre-training ends (step == pretrain_steps).
        self.on_pretrained: Callable[[dict[str, nn.Module], int], None] | None = None
        if resume:
            self._load_checkpoint()
        self.metrics = MetricsLog(self.out_dir / "metrics.jsonl", self.step if resume else None) if self.out_dir and self.is_main else None

    def _init_networks(self, ref: str) -> None:
        """Fine-tuning: the exported networks (and so their EMA) start from a trained model of the same recipe;
        with init_partial, from the tensors that fit (what was left random is logged and kept in `init_skipped`)."""
        from gantools.files import weights

        loaded = weights.load(ref, expect_recipe=self.recipe.name, recipe_file=getattr(type(self.recipe), "source_path", None))
        for name, net in loaded.networks.items():
            state = net.state_dict()
            if self.cfg.init_partial:
                own = self.nets[name].state_dict()
                fits = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
                self.init_skipped += [f"{name}.{k}" for k in own if k not in fits]
                state = {**own, **fits}
            try:
                self.nets[name].load_state_dict(state)
            except (RuntimeError, KeyError):
                raise UserError(f"--init '{ref}': its network '{name}' differs from this run's settings "
                                "(--init-partial takes what fits)") from None

    # --- the loop -----------------------------------------------------------------------------------
    def fit(self) -> FitResult:
        cfg = self.cfg
        batches = self._batches()
        bar = progress(cfg.steps, f"train {self.recipe.name}", "step", initial=self.step, enabled=self.progress)
        self._last_log_time, self._last_log_step = time.perf_counter(), self.step
        deadline = time.perf_counter() + 60.0 * cfg.minutes if cfg.minutes else None
        out_of_time = False
        try:
            while self.step < cfg.steps and not out_of_time:
                stats = self.train_step(batches)
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
                    self.on_pretrained(self.final_networks(), self.step)  # the reconstruction-only model, kept
                    self._train_mode()
        finally:
            bar.close()
        if self.is_main and self.out_dir:
            plot_losses(self.out_dir / "metrics.jsonl", self.out_dir / "loss_curve.png")
        return FitResult(self.final_networks(), self.step, self.last_metrics)

    def active_phases(self, step: int) -> list[Phase]:
        return [phase for phase in self.phases if phase.runs_at(step)]

    def train_step(self, batches: Iterator) -> dict[str, torch.Tensor]:
        """One step: every phase active at this step, in the recipe's order."""
        active = self.active_phases(self.step)
        scratch: dict = {}
        stats: dict[str, torch.Tensor] = {}
        batch = None
        for i, phase in enumerate(active):
            later = {name for other in active[i + 1:] for name in other.trains}
            kept = tuple(name for name in phase.keeps_graph_of if name in later and name not in phase.trains)
            on = set(phase.trains) | set(kept)
            for name, net in self.nets.items():  # only this phase's networks take gradients
                net.requires_grad_(name in on)
            nets = {name: self.wrapped[name] if name in on else net for name, net in self.nets.items()}
            factor = self._lr_factor(phase)
            for name in phase.trains:
                for group in self.optimizers[name].param_groups:
                    group["lr"] = self.base_lr[name] * factor
            for repeat in range(phase.repeats):
                if phase.new_batch or batch is None:
                    batch = next(batches)
                ctx = PhaseContext(self.step, batch, nets, self.device, scratch, self.adversary, repeat, phase.repeats, kept, stats)
                with self._autocast():
                    terms = phase.loss(ctx)
                    if not terms:
                        raise UserError(f"phase '{phase.name}' of recipe '{self.recipe.name}' returned no loss terms")
                    loss = sum(terms.values())
                for name in phase.trains:
                    self.optimizers[name].zero_grad(set_to_none=True)
                loss.backward()
                for name in phase.trains:
                    self.optimizers[name].step()
                    if name in self.ema:
                        self.ema[name].update(self.nets[name], decay=0.0 if self.step < self.cfg.ema_start else None)
            stats[f"loss_{phase.name}"] = loss.detach()
            if len(terms) > 1:
                stats.update({f"loss_{phase.name}_{term}": value.detach() for term, value in terms.items()})
        for net in self.nets.values():
            net.requires_grad_(True)
        return stats

    def _lr_factor(self, phase: Phase) -> float:
        """A function of the step alone, so a resumed run continues the same curve. Cosine and linear run over
        the phase's own span: each phase decays from its full rate to 0."""
        if self.cfg.lr_schedule == "constant":
            return 1.0
        stop = self.cfg.steps if phase.stop is None else min(phase.stop, self.cfg.steps)
        done = (self.step - phase.start) / max(1, stop - phase.start)
        if self.cfg.lr_schedule == "linear":
            return min(1.0, (1.0 - done) / self.cfg.lr_decay_fraction)
        return 0.5 * (1.0 + math.cos(math.pi * done))

    def _autocast(self):
        return torch.autocast("cuda", dtype=torch.bfloat16) if self.amp else contextlib.nullcontext()

    def _train_mode(self) -> None:
        for net in self.nets.values():
            net.train()

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
        in_memory = isinstance(self.dataset, ImageData) and self.dataset.in_memory
        workers = 0 if in_memory else self.cfg.workers  # decoded images in memory need no worker processes
        while True:
            epoch, offset = divmod(self.batch_index, per_epoch)
            sampler.set_epoch(epoch)
            indices = list(sampler)[offset * bs : per_epoch * bs]
            # Its own generator: a loader draws its workers' base seed when iterated, which from the global stream
            # would shift every later random draw of a run resumed mid-epoch.
            seeds = torch.Generator().manual_seed(self.cfg.seed * 1_000_003 + epoch * 1_009 + self.dist.rank)
            loader = DataLoader(
                self.dataset, batch_size=bs, sampler=indices, drop_last=True, num_workers=workers, pin_memory=self.device.type == "cuda",
                generator=seeds,
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

    def _log(self, bar) -> None:
        self._check_finite()
        if not self._count:
            return
        keys = sorted(self._sums)
        values = torch.stack([self._sums[k] / self._count for k in keys]).tolist() if keys else []
        now = time.perf_counter()
        record = {"step": self.step, **{k: round(v, 6) for k, v in zip(keys, values)}}
        record["steps_per_s"] = round((self.step - self._last_log_step) / max(now - self._last_log_time, 1e-9), 4)
        for name, opt in self.optimizers.items():
            record[f"lr_{name}"] = float(opt.param_groups[0]["lr"])
        record["phases"] = "+".join(p.name for p in self.active_phases(self.step - 1))
        self.last_metrics = record
        self._sums, self._count = {}, 0
        self._last_log_time, self._last_log_step = now, self.step
        if self.metrics is not None:
            self.metrics.write(record)
        if self.is_main:
            self.health.observe(record)
        shown = {k: f"{v:.3f}" for k, v in record.items() if k.startswith(("loss_", "d_acc")) and k.count("_") == 1}
        bar.set_postfix(shown, refresh=False)

    def final_networks(self) -> dict[str, nn.Module]:
        """The networks inference needs: the EMA copy where one is kept, else the live network; in eval mode."""
        return {name: (self.ema[name].model if name in self.ema else self.nets[name]).eval() for name in self.recipe.export_networks}

    @torch.no_grad()
    def save_preview(self, path: Path) -> None:
        images, nrow = self.recipe.preview_images(self.final_networks(), self.preview_condition)
        save_grid(images, path, nrow=nrow)
        if self.recipe.previews_are_samples:
            self.health.observe_samples(images, self.step)
        self._train_mode()

    def _save_checkpoint(self) -> None:
        self._check_finite()
        rng_states = distributed.gather_objects(self.dist, rng.get_state())
        if self.is_main and self.out_dir:
            state = {
                "format": CHECKPOINT_FORMAT,
                "recipe": self.recipe.name,
                "classes": list(self.recipe.classes),
                "step": self.step,
                "batch_index": self.batch_index,
                "world_size": self.dist.world_size,
                "networks": {name: net.state_dict() for name, net in self.nets.items()},
                "optimizers": {name: opt.state_dict() for name, opt in self.optimizers.items()},
                "ema": {name: ema.state_dict() for name, ema in self.ema.items()},
                "adversary": self.adversary.state_dict(),
                "recipe_state": self.recipe.state_dict(),
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
        state = checkpoint.upgrade(checkpoint.load(path, map_location=self.device))
        if state.get("recipe") != self.recipe.name:
            raise UserError(f"checkpoint '{path}' is from recipe '{state.get('recipe')}', not '{self.recipe.name}'")
        if list(state.get("classes", [])) != list(self.recipe.classes):
            raise UserError(f"checkpoint '{path}' was trained on classes {state.get('classes')}, the data now has {self.recipe.classes}")
        if set(state["networks"]) != set(self.nets):
            raise UserError(f"checkpoint '{path}' holds networks {sorted(state['networks'])}, the recipe builds {sorted(self.nets)}")
        untrained = sorted(set(self.optimizers) - set(state["optimizers"]))
        if untrained:  # e.g. a --set given with --resume that trains a network the run kept frozen
            raise UserError(f"the run in '{path.parent}' never trained {', '.join(untrained)}, which these settings train: "
                            "start a new run from it with --init instead of --resume")
        try:
            for name, net in self.nets.items():
                net.load_state_dict(state["networks"][name])
            for name, ema in self.ema.items():
                saved = state["ema"].get(name)
                ema.load_state_dict(saved if saved is not None else {"model": state["networks"][name], "updates": 0})
            for name, opt in self.optimizers.items():
                opt.load_state_dict(state["optimizers"][name])
            self.adversary.load_state_dict(state.get("adversary", {}))
            self.recipe.load_state_dict(state.get("recipe_state", {}))
        except (RuntimeError, ValueError, KeyError) as exc:
            raise UserError(f"checkpoint '{path}' does not fit this recipe's networks: {str(exc).splitlines()[0]}") from None
        self.step, self.batch_index = state["step"], state["batch_index"]
        self.last_good_checkpoint = self.step
        self.last_metrics = dict(state.get("last_metrics", {}))
        states = state.get("rng") or []
        if state.get("world_size") == self.dist.world_size and self.dist.rank < len(states):
            rng.set_state(states[self.dist.rank])
        else:
            rng.seed_everything(self.cfg.seed + self.dist.rank + 7919 * self.step)  # other world size: fresh streams
