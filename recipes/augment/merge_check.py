"""After an export: would copying it into the training folder help an ordinary classifier?

A quarter of each class's real images is set aside; the benefit report's small CNN is trained, with batches
drawn uniformly from the set (what a folder merge gives), on the rest alone and on the rest plus the exported
images in the export's own ratio to the real ones, over three seeds, and both are tested on the set-aside
images. The GAN trained on those images too, so the check leans in the samples' favour: when even it finds no
gain, merging will not help (`--evaluate` gives the unflattered figures, with a GAN trained without them)."""

from __future__ import annotations

import numpy as np
import torch

from gantools.recipes.augment import benefit

HELD_OUT = 0.25
SEEDS = 3
MAX_SIDE = 32  # the check judges 32x32 images at most: a few minutes on a CPU, bounded memory, and enough to tell classes
MAX_SYNTHETIC = 50_000  # exported images kept for the check (uint8); a larger export is checked at a lower ratio, said so


def check_side(size: int) -> int:
    return min(size, MAX_SIDE)


def _split(real: dict[str, list[np.ndarray]], classes: list[str], seed: int):
    """Each class's real images, a quarter set aside by `seed`: (train, test) as (images, labels), and the share
    of each class kept for training; None and the reason where a class is too small."""
    rng = np.random.default_rng(seed)
    train, test, kept = ([], []), ([], []), {}
    for label, cls in enumerate(classes):
        images = real[cls]
        if len(images) < 2:
            return None, f"class '{cls}' has {len(images)} readable image(s): too few to set one aside"
        order = rng.permutation(len(images))
        k = min(max(1, round(len(images) * HELD_OUT)), len(images) - 1)
        for target, idx in ((test, order[:k]), (train, order[k:])):
            target[0].extend(images[i] for i in idx)
            target[1].extend([label] * len(idx))
        kept[cls] = (len(images) - k) / len(images)
    return (train, test, kept), None


def _uint8(part) -> tuple[torch.Tensor, torch.Tensor]:
    return benefit.to_uint8(part[0]), torch.tensor(part[1])


def _accuracies(parts, test, n_classes: int, device) -> list[float]:
    return [benefit.accuracy(benefit.train_classifier(parts, n_classes, seed=s, steps=benefit.STEPS, device=device, plain=True), *test)
            for s in range(SEEDS)]


def _figures(alone: list[float], merged: list[float], **facts) -> dict:
    gain = np.array(merged) - np.array(alone)
    error = float(gain.std(ddof=1) / np.sqrt(len(gain)))
    verdict = "helps" if gain.mean() - error > 0 else ("hurts" if gain.mean() + error < 0 else "no clear gain")
    return {"verdict": verdict, "real_only": float(np.mean(alone)), "merged": float(np.mean(merged)),
            "gain_points": float(100 * gain.mean()), "standard_error_points": float(100 * error),
            "per_seed": {"real_only": alone, "merged": merged}, **facts, "steps": benefit.STEPS,
            "what": "a small CNN with uniform batches, real only vs real + export in the export's ratio, tested on a set-aside "
                    "quarter of the real images, which the GAN trained on (the check favours the samples)"}


def run(real: dict[str, list[np.ndarray]], synthetic: dict[str, list[np.ndarray]], classes: list[str], seed: int,
        device: torch.device = torch.device("cpu"), shares: tuple[float, ...] = (1.0,), checked_fraction: float = 1.0) -> dict:
    """`real` and `synthetic` hold each class's images (already at check_side). Each share s merges the first
    s-fraction of each class's synthetic images (in the export's ratio to the real images kept for training);
    the figures of the first share, and with several shares all of them under "tried". `checked_fraction` < 1:
    `synthetic` is that part of the export (past MAX_SYNTHETIC), recorded so the message says so."""
    split, reason = _split(real, classes, seed)
    if split is None:
        return {"skipped": reason}
    train, test, kept = split
    real_part, test_part = _uint8(train), _uint8(test)
    alone = _accuracies([real_part], test_part, len(classes), device)
    tried = []
    for share in shares:
        extra = ([], [])
        for label, cls in enumerate(classes):
            take = round(len(synthetic[cls]) * share * kept[cls])
            extra[0].extend(synthetic[cls][:take])
            extra[1].extend([label] * take)
        merged = _accuracies([real_part, _uint8(extra)] if extra[1] else [real_part], test_part, len(classes), device)
        tried.append(_figures(alone, merged, share=share, held_out_images=len(test[1]), real_images=len(train[1]),
                              synthetic_images=len(extra[1]), image_side=int(test_part[0].shape[-1])))
    result = tried[0] if len(tried) == 1 else {**tried[0], "tried": tried}
    return result | ({"checked_fraction": checked_fraction} if checked_fraction < 1 else {})


def choose(real: dict[str, list[np.ndarray]], synthetic: dict[str, list[np.ndarray]], classes: list[str], seed: int,
           device: torch.device, shares: tuple[float, ...], checked_fraction: float = 1.0) -> tuple[float, dict]:
    """The largest of `shares` of the synthetic images whose plain merge helps in the check (0.0: none), and the figures."""
    result = run(real, synthetic, classes, seed, device, tuple(sorted(shares, reverse=True)), checked_fraction)
    if "skipped" in result:
        return max(shares), result
    tried = result.get("tried", [result])
    best = next((t for t in tried if t["verdict"] == "helps"), None)
    return (best["share"] if best else 0.0), (best or tried[-1]) | {"tried": tried}


def message(result: dict) -> str:
    """The line the command prints at the end of an export."""
    if "skipped" in result:
        return f"merge check skipped: {result['skipped']}"
    figures = (f"real only {result['real_only']:.1%}, merged {result['merged']:.1%} ({result['gain_points']:+.1f} +- "
               f"{result['standard_error_points']:.1f} points over {SEEDS} seeds, {result['held_out_images']} images set aside"
               + (f"; checked with {result['checked_fraction']:.0%} of the export" if "checked_fraction" in result else "") + ")")
    if result["verdict"] == "helps":
        return (f"merge check: copied into the training folder, these images raised a plain classifier: {figures}; "
                "the GAN saw the set-aside images, so take the gain as an upper bound (--evaluate for the honest one)")
    return (f"warning: merged into the training folder, these images {'lowered' if result['verdict'] == 'hurts' else 'did not raise'} "
            f"a plain classifier's accuracy: {figures}. Keep them out of the training folder, export fewer (--n), or train "
            "the GAN longer; --evaluate shows whether half-real batches still gain from them")


def choice_message(share: float, n: int, result: dict) -> str:
    """The line that says how many images an export without --n wrote, and why."""
    if "skipped" in result:
        return f"no --n: wrote {n} images, as many as your real ones, unchecked ({result['skipped']})"
    shares = ", ".join(f"{t['share']:g}" for t in result["tried"])
    if share == 0:
        figures = "; ".join(f"{t['share']:g} per real image: {t['gain_points']:+.1f} +- {t['standard_error_points']:.1f} points"
                            for t in result["tried"])
        return (f"warning: no --n, and no share of the samples ({shares} per real image) raised a plain classifier's "
                f"accuracy on your images (real only {result['real_only']:.1%}; {figures}), so none were written. "
                "Merged into the training folder they would not help; --n N exports them anyway (use them with half-real "
                "batches: see --evaluate), or train the GAN longer")
    return (f"no --n: wrote {n} images, {share:g} per real image, the largest of {shares} whose plain merge raised the "
            f"check's accuracy. " + message(result))
