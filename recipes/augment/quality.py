"""`gantools eval augment`: how good a class-conditional GAN's samples are, judged against held-out real images of
the same classes. FID of the pooled samples (InceptionV3, as published low-data figures are given), the same per
class, and CAS: a small CNN trained on the samples alone, tested on the held-out images. With --real TRAIN the
same CNN is also trained on the real training images, the reference CAS is judged against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gantools.config import setting
from gantools.data.folders import list_data
from gantools.errors import UserError
from gantools.metrics import image as metrics
from gantools.metrics import inception


@dataclass
class AugmentEvalConfig:
    samples: int = setting("GAN samples drawn in all, shared among the classes as the held-out images are", 10000)
    real: str = setting("the real training images (class folders): the same classifier trained on them is the reference for CAS", "")
    seeds: int = setting("classifier seeds for CAS (and the reference)", 3)

    def __post_init__(self):
        if self.samples < 2 or self.seeds < 1:
            raise ValueError("samples must be at least 2 and seeds at least 1")


def _labelled(folder: Path, classes: list[str], size: int, channels: int, fit: str, skipped: list) -> tuple[list[np.ndarray], list[int]]:
    from gantools.recipes.augment.pipeline import readable_squares

    listing = list_data(folder, conditional=True)
    unknown = sorted(set(listing.classes) - set(classes))
    if unknown:
        raise UserError(f"'{folder}' has classes the model was not trained on: {', '.join(unknown)} (it knows {', '.join(classes)})")
    labels = [classes.index(listing.classes[y]) for y in listing.labels]
    skipped += [{"file": f, "reason": r} for f, r in listing.skipped]
    bad: list[tuple[str, str]] = []
    ok = readable_squares(listing.files, size, channels, fit, bad)
    skipped += [{"file": f, "reason": r} for f, r in bad]
    return [pix for _, pix in ok], [labels[i] for i, _ in ok]


def evaluate(recipe, sampler, data: Path, examples: Path | None, settings: AugmentEvalConfig | None) -> dict:
    from gantools.recipes.augment import benefit
    from gantools.recipes.augment.export import class_counts
    from gantools.recipes.augment.pipeline import _save_class_grid, gan_images

    settings = settings or AugmentEvalConfig()
    c, classes, skipped = recipe.config, list(recipe.classes), []
    test = _labelled(Path(data), classes, c.size, recipe.channels, c.fit, skipped)
    if not test[1]:
        raise UserError(f"no readable images in the class folders of '{data}'")
    held_per_class = np.bincount(test[1], minlength=len(classes))
    shares = class_counts({cls: int(k) for cls, k in zip(classes, held_per_class)}, settings.samples, "proportional")
    fake: tuple[list[np.ndarray], list[int]] = ([], [])
    for label, count in enumerate(shares[cls] for cls in classes):
        for start in range(0, count, 500):  # the seeds an export starts from, in batches that fit any memory
            seeds = list(range(label * 1_000_003 + start, label * 1_000_003 + min(count, start + 500)))
            fake[0].extend(gan_images(sampler, label, seeds, None))
            fake[1].extend([label] * len(seeds))
    if examples is not None:  # eight samples per class, one row each
        _save_class_grid([[im for im, y in zip(*fake) if y == label][:8] for label in range(len(classes))], Path(examples) / "samples.png")
    x_test, y_test = benefit.to_tensor(test[0]), torch.tensor(test[1])
    device = sampler.device

    def accuracies(images, labels) -> list[float]:
        part = (benefit.to_tensor(images), torch.tensor(labels))
        return [benefit.accuracy(benefit.train_classifier([part], len(classes), seed=s, steps=benefit.STEPS, device=device), x_test, y_test)
                for s in range(settings.seeds)]

    cas = accuracies(*fake)
    summary = {"cas": float(np.mean(cas)), "cas_std": float(np.std(cas)), "samples": len(fake[1]), "held_out_images": len(test[1]),
               "chance": 1.0 / len(classes)}
    checks = {"CAS above chance": summary["cas"] > summary["chance"]}
    if settings.real:
        real = _labelled(Path(settings.real), classes, c.size, recipe.channels, c.fit, skipped)
        if not real[1]:
            raise UserError(f"no readable images in the class folders of --real '{settings.real}'")
        reference = accuracies(*real)
        summary.update({"real_accuracy": float(np.mean(reference)), "real_accuracy_std": float(np.std(reference)),
                        "real_images": len(real[1]), "cas_over_real": float(np.mean(cas) / max(np.mean(reference), 1e-9))})
        checks["CAS at least half the real-trained accuracy"] = summary["cas_over_real"] >= 0.5
    rows = []
    result = {"rows": rows, "summary": summary, "summary_prefix": "samples against held-out images", "skipped": skipped, "checks": checks,
              "classifier": f"3-conv CNN, {benefit.STEPS} AdamW steps (one-cycle), batch 64, {settings.seeds} seed(s)"}
    if not inception.available():
        result["fid_note"] = f"FID not computed: {inception.EXTRA_HINT}"
        return result
    features = inception.InceptionFeatures(device)
    rgb = lambda ims: [np.repeat(im[..., None], 3, 2) if im.ndim == 2 else im for im in ims]  # noqa: E731
    f_fake, f_test = features(rgb(fake[0])), features(rgb(test[0]))
    summary["fid"] = metrics.frechet_distance(f_fake, f_test)
    y_fake, y_held = np.array(fake[1]), np.array(test[1])
    for label, cls in enumerate(classes):
        a, b = f_fake[y_fake == label], f_test[y_held == label]
        rows.append({"class": cls, "samples": int(len(a)), "held_out": int(len(b)),
                     "fid": metrics.frechet_distance(a, b) if min(len(a), len(b)) >= 2 else None})
    return result
