"""Steering a generator by its named codes (infoGAN): `gantools sample --traverse c1`, `--range`, `--code c2=1.5`.

A sampler with codes declares `codes` (name -> ("categorical", K) or ("continuous", position)) and
`from_codes(noise, index, values)`. Continuous codes are trained on [-1, 1]; traversals and --code may reach
to +-LIMIT (outside the training range the model extrapolates, as the infoGAN paper shows), no further.
"""

from __future__ import annotations

import torch

from gantools.errors import UserError

LIMIT = 3.0


def has_codes(sampler) -> bool:
    return bool(getattr(sampler, "codes", None))


def parse_code_values(sampler, items: list[str]) -> dict[str, float]:
    """['c1=3', 'c2=1.5'] -> {'c1': 3, 'c2': 1.5}, each name and value checked against the model's codes."""
    codes, out = sampler.codes, {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep:
            raise UserError(f"--code wants NAME=VALUE, got '{item}'")
        check_name(sampler, name)
        try:
            value = float(raw)
        except ValueError:
            raise UserError(f"--code {name}: '{raw}' is not a number") from None
        kind, k = codes[name]
        if kind == "categorical" and (not value.is_integer() or not 0 <= value < k):
            raise UserError(f"--code {name} is categorical: a whole number from 0 to {k - 1}, got {raw}")
        if kind == "continuous" and abs(value) > LIMIT:
            raise UserError(f"--code {name} is continuous (trained on -1..1): at most {LIMIT:g} either way, got {raw}")
        out[name] = value
    return out


def check_name(sampler, name: str) -> None:
    if name not in sampler.codes:
        raise UserError(f"this model has no code '{name}' (it has: {', '.join(sampler.codes)})")


def draw(sampler, n: int, fixed: dict[str, float], gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Noise and codes for n images: the `fixed` codes as given, the others drawn as in training."""
    g = sampler.generator
    noise = torch.randn(n, g.noise, generator=gen)
    index = torch.randint(0, g.categories, (n,), generator=gen)
    values = torch.rand(n, g.continuous, generator=gen) * 2 - 1
    for name, value in fixed.items():
        kind, k = sampler.codes[name]
        if kind == "categorical":
            index[:] = int(value)
        else:
            values[:, k] = value
    return noise, index, values


def traverse(sampler, name: str, span: tuple[float, float], n: int, steps: int, fixed: dict[str, float],
             gen: torch.Generator) -> tuple[torch.Tensor, int]:
    """A grid: categorical code -> a row per value, n columns of shared noise and codes; continuous -> n rows
    (their own noise and codes), `steps` columns sweeping the code over `span`. Returns images and row length."""
    check_name(sampler, name)
    kind, k = sampler.codes[name]
    if kind == "categorical":
        noise, index, values = draw(sampler, n, fixed, gen)
        noise, values = noise.repeat(k, 1), values.repeat(k, 1)
        index = torch.arange(k).repeat_interleave(n)
        return sampler.from_codes(noise, index, values), n
    lo, hi = span
    if lo >= hi or max(abs(lo), abs(hi)) > LIMIT:
        raise UserError(f"--range wants LO < HI within -{LIMIT:g}..{LIMIT:g} (the code was trained on -1..1), got {lo:g} {hi:g}")
    noise, index, values = draw(sampler, n, fixed, gen)
    noise, index, values = noise.repeat_interleave(steps, 0), index.repeat_interleave(steps, 0), values.repeat_interleave(steps, 0)
    values[:, k] = torch.linspace(lo, hi, steps).repeat(n)
    return sampler.from_codes(noise, index, values), steps


def write_code_samples(sampler, n: int, out_dir, traverse_name: str | None, span: tuple[float, float], steps: int,
                       code_items: list[str], grid: bool, seed: int) -> dict:
    """`gantools sample --traverse/--code`: a traversal grid (traverse_NAME.png), or n PNGs with the codes set."""
    import json
    from pathlib import Path

    from gantools.files.atomic import write_text
    from gantools.infer.sampling import GRID_MOST, check_count, sample_name, write_stream
    from gantools.train.runlog import save_grid

    if not has_codes(sampler):
        raise UserError(f"this '{sampler.recipe.name}' model has no codes: --traverse and --code are for infogan models")
    check_count(n)
    if steps < 2:
        raise UserError("--steps must be at least 2")
    out_dir, gen = Path(out_dir), torch.Generator().manual_seed(seed)
    fixed = parse_code_values(sampler, code_items)
    report = {"seed": seed, "codes": fixed}
    if traverse_name:
        if traverse_name in fixed:
            raise UserError(f"--traverse {traverse_name} and --code {traverse_name}=... contradict each other")
        images, row = traverse(sampler, traverse_name, span, min(n, 10), steps, fixed, gen)
        save_grid(images, out_dir / f"traverse_{traverse_name}.png", nrow=row)
        report.update(traverse=traverse_name, grid=f"traverse_{traverse_name}.png", images=int(images.shape[0]))
        if sampler.codes[traverse_name][0] == "continuous":
            report["range"] = list(span)
    else:
        noise, index, values = draw(sampler, n, fixed, gen)
        first = write_stream(lambda a, b: sampler.from_codes(noise[a:b], index[a:b], values[a:b]), n,
                             lambda i: out_dir / sample_name(i), min(n, GRID_MOST))
        report["images"] = n
        if grid:
            save_grid(first, out_dir / "grid.png", nrow=max(1, int(len(first) ** 0.5)))
            report["grid"] = "grid.png"
    write_text(out_dir / "samples.json", json.dumps(report, indent=2) + "\n")
    return report
