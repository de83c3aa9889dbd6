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
MAX_SYNTHETIC = 50_000  # exported images kept for the check (uint8); a larger export is checked with a share of it


def check_side(size: int) -> int:
    return min(size, MAX_SIDE)


def run(real: dict[str, list[np.ndarray]], synthetic: dict[str, list[np.ndarray]], classes: list[str], seed: int,
        device: torch.device = torch.device("cpu")) -> dict:
    """`real` and `synthetic` hold each class's images (already at check_side); returns the figures and a verdict."""
    rng = np.random.default_rng(seed)
    train, test, extra = ([], []), ([], []), ([], [])
    for label, cls in enumerate(classes):
        images = real[cls]
        if len(images) < 2:
            return {"skipped": f"class '{cls}' has {len(images)} readable image(s): too few to set one aside"}
        order = rng.permutation(len(images))
        k = min(max(1, round(len(images) * HELD_OUT)), len(images) - 1)
        for target, idx in ((test, order[:k]), (train, order[k:])):
            target[0].extend(images[i] for i in idx)
            target[1].extend([label] * len(idx))
        keep = round(len(synthetic[cls]) * (len(images) - k) / len(images))  # the export's own ratio to the real images
        extra[0].extend(synthetic[cls][:keep])
        extra[1].extend([label] * keep)
    as_uint8 = lambda part: (torch.from_numpy(np.stack([im[..., None] if im.ndim == 2 else im for im in part[0]])).permute(0, 3, 1, 2),  # noqa: E731
                             torch.tensor(part[1]))
    real_part, test_part = as_uint8(train), as_uint8(test)
    parts = [real_part, as_uint8(extra)] if extra[1] else [real_part]
    alone, merged = [], []
    for s in range(SEEDS):
        for target, sets in ((alone, [real_part]), (merged, parts)):
            net = benefit.train_classifier(sets, len(classes), seed=s, steps=benefit.STEPS, device=device, plain=True)
            target.append(benefit.accuracy(net, *test_part))
    gain = np.array(merged) - np.array(alone)
    error = float(gain.std(ddof=1) / np.sqrt(len(gain)))
    verdict = "helps" if gain.mean() - error > 0 else ("hurts" if gain.mean() + error < 0 else "no clear gain")
    return {"verdict": verdict, "real_only": float(np.mean(alone)), "merged": float(np.mean(merged)),
            "gain_points": float(100 * gain.mean()), "standard_error_points": float(100 * error),
            "per_seed": {"real_only": alone, "merged": merged}, "held_out_images": len(test[1]), "real_images": len(train[1]),
            "synthetic_images": len(extra[1]), "steps": benefit.STEPS, "image_side": int(test_part[0].shape[-1]),
            "what": "a small CNN with uniform batches, real only vs real + export in the export's ratio, tested on a set-aside "
                    "quarter of the real images, which the GAN trained on (the check favours the samples)"}


def message(result: dict) -> str:
    """The line the command prints at the end of an export."""
    if "skipped" in result:
        return f"merge check skipped: {result['skipped']}"
    figures = (f"real only {result['real_only']:.1%}, merged {result['merged']:.1%} ({result['gain_points']:+.1f} +- "
               f"{result['standard_error_points']:.1f} points over {SEEDS} seeds, {result['held_out_images']} images set aside)")
    if result["verdict"] == "helps":
        return (f"merge check: copied into the training folder, these images raised a plain classifier: {figures}; "
                "the GAN saw the set-aside images, so take the gain as an upper bound (--evaluate for the honest one)")
    return (f"warning: merged into the training folder, these images {'lowered' if result['verdict'] == 'hurts' else 'did not raise'} "
            f"a plain classifier's accuracy: {figures}. Keep them out of the training folder, export fewer (--n), or train "
            "the GAN longer; --evaluate shows whether half-real batches still gain from them")
