"""A training phase: the networks one update trains, when it runs, and the recipe's loss for it.

A recipe lists its phases in order; each step of training runs the phases active at that step, one
after another. The checks here turn a recipe's mistakes into one clear line before training starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import torch
from torch import nn

from gantools.errors import UserError


@dataclass(frozen=True)
class Phase:
    """One update: `loss(ctx)` returns named, weighted terms; their sum is minimised over `trains`' parameters.

    Each trained network has one Adam optimizer with this phase's `lr` and `betas`: two phases that train
    the same network must agree on them. The phase runs at steps start <= step < stop, every `every` steps,
    `repeats` times in a row (a fresh batch each time unless `new_batch` is off, when it reuses the batch
    the previous phase of the step drew). `lr_scale` multiplies the rate for some of the networks it trains.
    Networks in `keeps_graph_of` run with gradients on during this phase when a later phase of the same
    step trains them, so their outputs (kept in ctx.scratch) can be backpropagated there without a second
    forward; this phase's own loss must use them detached.
    """

    name: str
    trains: tuple[str, ...]
    loss: Callable[["PhaseContext"], dict[str, torch.Tensor]]
    lr: float
    betas: tuple[float, float] = (0.5, 0.999)
    start: int = 0
    stop: int | None = None
    every: int = 1
    repeats: int = 1
    new_batch: bool = True
    keeps_graph_of: tuple[str, ...] = ()
    lr_scale: tuple[tuple[str, float], ...] = ()  # (network, factor) pairs: a pretrained net fine-tuned more gently

    def lr_for(self, name: str) -> float:
        return self.lr * dict(self.lr_scale).get(name, 1.0)

    def runs_at(self, step: int) -> bool:
        return step >= self.start and (self.stop is None or step < self.stop) and (step - self.start) % self.every == 0


@dataclass
class PhaseContext:
    """What a phase's loss sees. `nets[name]` is the DDP-wrapped module for networks this phase trains (or
    keeps the graph of) and the bare module for the others, which are frozen; `scratch` is shared by the
    phases of one step and cleared after it; `log(name, value)` records a figure in metrics.jsonl."""

    step: int
    batch: Any
    nets: Mapping[str, nn.Module]
    device: torch.device
    scratch: dict
    adversary: Any  # gantools.train.adversarial.Adversary: the shared losses and penalties
    repeat: int = 0
    repeats: int = 1
    graph_kept: tuple[str, ...] = ()
    stats: dict = field(default_factory=dict)

    @property
    def last_repeat(self) -> bool:
        return self.repeat == self.repeats - 1

    def keeps_graph(self, name: str) -> bool:
        """True when `name`'s outputs in this phase should carry a graph for a later phase of this step."""
        return name in self.graph_kept

    def log(self, name: str, value: torch.Tensor) -> None:
        self.stats[name] = value.detach()


def check_networks(networks: Mapping[str, nn.Module]) -> None:
    if not networks:
        raise UserError("the recipe's build() returned no networks")
    seen: dict[str, str] = {}
    by_id: dict[int, str] = {}
    for name, net in networks.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise UserError(f"network name {name!r} must be a Python identifier (letters, digits, _)")
        if not isinstance(net, nn.Module):
            raise UserError(f"network '{name}' is a {type(net).__name__}, not a torch.nn.Module")
        if name.lower() in seen:
            raise UserError(f"network names '{seen[name.lower()]}' and '{name}' collide (they differ only in case)")
        if id(net) in by_id:
            raise UserError(f"networks '{by_id[id(net)]}' and '{name}' are the same module; build each once")
        seen[name.lower()], by_id[id(net)] = name, name


def check_phases(phases: list[Phase], networks: Mapping[str, nn.Module], ema: tuple[str, ...], export: tuple[str, ...]) -> None:
    """Every mistake a recipe can make in declaring its phases, as one line each."""
    if not phases:
        raise UserError("the recipe declares no training phases")
    names: set[str] = set()
    settings: dict[str, tuple[str, float, tuple[float, float]]] = {}
    for phase in phases:
        if phase.name in names:
            raise UserError(f"two phases are named '{phase.name}'")
        names.add(phase.name)
        if not phase.trains:
            raise UserError(f"phase '{phase.name}' trains no network")
        if len(set(phase.trains)) != len(phase.trains):
            raise UserError(f"phase '{phase.name}' names a network twice")
        if phase.every < 1 or phase.repeats < 1:
            raise UserError(f"phase '{phase.name}': every and repeats must be at least 1")
        if any(n not in phase.trains or not factor > 0 for n, factor in phase.lr_scale):
            raise UserError(f"phase '{phase.name}': lr_scale needs networks the phase trains and factors above 0")
        for name in (*phase.trains, *phase.keeps_graph_of):
            if name not in networks:
                raise UserError(f"phase '{phase.name}' uses network '{name}', which the recipe did not build (built: {', '.join(networks)})")
        for name in phase.trains:
            mine = (phase.lr_for(name), tuple(phase.betas))
            if name in settings and settings[name][1:] != mine:
                other = settings[name]
                raise UserError(f"phases '{other[0]}' and '{phase.name}' train network '{name}' with different optimizer settings "
                                f"(lr {other[1]} betas {other[2]} vs lr {mine[0]} betas {mine[1]}); one optimizer per network needs one setting")
            settings.setdefault(name, (phase.name, *mine))
    for kind, listed in (("EMA", ema), ("export", export)):
        for name in listed:
            if name not in networks:
                raise UserError(f"the recipe asks {kind} for network '{name}', which it did not build")
    for name in ema:
        if name not in settings:
            raise UserError(f"the recipe asks EMA for network '{name}', which no phase trains")
