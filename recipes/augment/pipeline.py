"""`gantools augment`: grow a class-folder dataset with GAN samples, classic augmentations, or both.

Every synthetic image is written into a class folder named like its source class, listed in
manifest.csv with what it takes to make it again (source, seed, model, truncation, origin), and
checked against the training images of its class so near-copies are dropped and redrawn.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import torch

from gantools.recipes.augment import classic, html

from gantools.recipes.augment import memorization, merge_check
from gantools.data.folders import Listing, check_classes, list_data, load_square, mark_not_data
from gantools.device import resolve_device
from gantools.errors import UserError
from gantools.files.imageio import ImageError
from gantools.train.runlog import save_grid
from gantools.recipes.augment.export import BALANCES, Row, SynthWriter, check_out_folder, class_counts

MODES = ("gan", "classic", "mix")
REPORT_NAME = "report.json"
MAX_REDRAWS = 20  # rounds of redrawing near-copies before giving up on a class
# Without --n, the export's size is the largest of these shares of the real image count whose plain merge raised a
# small classifier's accuracy in the merge check, else nothing: merged plainly, GAN samples can cost accuracy even
# where they help a half-real batch (benchmarks/RESULTS.md, "Augment v2": CIFAR-10 at 10% lost 2 points at 1/2).
DEFAULT_SHARES = (1.0, 0.5, 0.25)


@dataclass
class AugmentOptions:
    dataset: Path
    n: int | None  # None: chosen by the merge check (DEFAULT_SHARES)
    out: Path
    mode: str = "gan"
    balance: str = "proportional"  # keeps the class prior a classifier meets again; equal pulls it to small classes
    model: str | None = None
    run_dir: Path | None = None
    steps: int | None = None
    minutes: float | None = None
    export_size: int | None = None  # None: the training resolution; 0: the dataset's typical size
    truncation: float | None = None
    size: int = 0  # training resolution 32/64/128; 0: chosen from the data
    fit: str = "crop"  # how images become squares: crop (centre) or pad (whole object on white)
    policy: str = "medium"
    flip: bool = True
    seed: int = 0
    overwrite: bool = False
    copy_threshold: float = memorization.DEFAULT_THRESHOLD
    progress: bool = True
    device: str = "auto"  # training, sampling and the benefit classifiers
    check: bool = True  # after the export: does merging it into the training folder help a plain classifier?


def default_out(dataset: Path) -> Path:
    return dataset.resolve().parent / f"{dataset.resolve().name}_synth"


def default_run(dataset: Path) -> Path:
    return dataset.resolve().parent / f"{dataset.resolve().name}_gan"


MAX_EXPORT = 1_000_000  # a run's plan (seeds, counts) is made up front: a billion asked for 10 GB before one image


def check_options(o: AugmentOptions) -> Listing:
    """Every user mistake found before an export starts; returns the dataset's listing."""
    if o.mode not in MODES:
        raise UserError(f"--mode must be one of {', '.join(MODES)}")
    if o.balance not in BALANCES:
        raise UserError(f"--balance must be one of {', '.join(BALANCES)}")
    if o.n is not None and not 1 <= o.n <= MAX_EXPORT:
        raise UserError(f"--n must be between 1 and {MAX_EXPORT:,} (got {o.n:,})")
    return check_shared_options(o)


def check_shared_options(o: AugmentOptions) -> Listing:
    """The settings, dataset and out folder an export and the benefit report share; returns the dataset's listing."""
    if o.truncation is not None and o.truncation <= 0:
        raise UserError(f"--truncation must be positive (got {o.truncation})")
    if o.export_size is not None and o.export_size < 0:
        raise UserError("--export-size must be a positive number of pixels, or 0 for the dataset's typical size")
    if o.size not in (0, 32, 64, 128):
        raise UserError(f"--size must be 32, 64 or 128 (got {o.size})")
    if o.fit not in ("crop", "pad"):
        raise UserError("--fit must be crop or pad")
    if not 0 < o.copy_threshold <= 1:
        raise UserError("--copy-threshold must be in (0, 1]")
    resolve_device(o.device)  # a device this machine lacks is refused before any work
    if not o.dataset.is_dir():
        raise UserError(f"--dataset '{o.dataset}' is not a folder")
    listing = list_data(o.dataset, conditional=True)
    check_classes(listing)
    if o.out.resolve() == o.dataset.resolve() or o.dataset.resolve() in o.out.resolve().parents:
        raise UserError("--out must not be the dataset folder or inside it")
    check_out_folder(o.out, o.overwrite)
    return listing


def readable_squares(files: list[Path], size: int, channels: int, fit: str,
                     skipped: list[tuple[str, str]]) -> list[tuple[int, np.ndarray]]:
    """(index, HxW or HxWxC pixels) of each file that decodes; the others go to `skipped` with the reason."""
    out = []
    for i, path in enumerate(files):
        try:
            pixels = load_square(path, channels, size, fit)
        except ImageError as exc:
            skipped.append((str(path), str(exc)))
            continue
        out.append((i, pixels[..., 0] if channels == 1 else pixels))
    return out


def real_images(listing: Listing, size: int, channels: int, fit: str) -> dict[str, list[tuple[Path, np.ndarray]]]:
    """The readable images of each class at the export size (unreadable ones are added to listing.skipped)."""
    per_class: dict[str, list[tuple[Path, np.ndarray]]] = {c: [] for c in listing.classes}
    for i, pixels in readable_squares(listing.files, size, channels, fit, listing.skipped):
        per_class[listing.classes[listing.labels[i]]].append((listing.files[i], pixels))
    return per_class


def load_or_train(o: AugmentOptions, listing: Listing, say):
    """The augment model to sample from: --model (checked against the dataset's classes) or a new run."""
    from gantools.train import runs
    from gantools.files import weights

    if o.model:
        loaded = weights.load(o.model, expect_recipe="augment")
        if list(loaded.recipe.classes) != list(listing.classes):
            raise UserError(f"--model '{o.model}' was trained on classes {loaded.recipe.classes}, "
                            f"but '{o.dataset}' has {listing.classes}")
        return loaded, 0.0
    run = o.run_dir or default_run(o.dataset)
    overrides = {"seed": o.seed, "size": o.size, "fit": o.fit, "device": o.device}
    if o.steps is not None:
        overrides["steps"] = o.steps
    if o.minutes is not None:
        overrides["minutes"] = o.minutes
    from gantools.train.checkpoint import CHECKPOINT_NAME

    if (run / CHECKPOINT_NAME).exists():  # augment has no --resume: the run is reused as a model, or another is made
        raise UserError(f"'{run}' already holds a training run; use its model with --model {run}, or train a new one "
                        f"into another folder with --run FOLDER")
    where = "beside your dataset" if o.run_dir is None else "(--run)"
    say(f"training a class-conditional GAN in {run} {where}; reuse it later with --model {run}")
    start = time.perf_counter()
    runs.train("augment", str(o.dataset), run, overrides, progress=o.progress, say=say)
    minutes = (time.perf_counter() - start) / 60.0
    return weights.load(run, expect_recipe="augment"), minutes


def _resize(image: np.ndarray, size: int) -> np.ndarray:
    if image.shape[0] == size and image.shape[1] == size:
        return image
    interp = cv2.INTER_AREA if image.shape[0] > size else cv2.INTER_CUBIC
    return cv2.resize(image, (size, size), interpolation=interp)


def export_side(o: AugmentOptions, train_size: int, files: list[Path]) -> int:
    """The side of exported (and --evaluate's) images: the training resolution, --export-size, or with 0 the data's typical size."""
    from gantools.recipes.augment.recipe import typical_side

    return train_size if o.export_size is None else (o.export_size or typical_side(files))


def gan_images(sampler, label: int, seeds: list[int], truncation: float | None) -> list[np.ndarray]:
    """One image per seed: z from that seed alone, so any image can be made again from the manifest."""
    from gantools.recipes.augment.recipe import truncated_noise
    from gantools.infer.sampling import to_uint8

    sampler.use_truncation(truncation)
    z = torch.cat([truncated_noise(1, sampler.z_dim, truncation, torch.Generator().manual_seed(s)) for s in seeds])
    images = to_uint8(sampler.generate(z, torch.full((len(seeds),), label, dtype=torch.long)))
    return [im[..., 0] if im.shape[2] == 1 else im for im in images]


def redraw_near_copies(make, guard: memorization.NearestTraining | None, floor: float, count: int,
                       first_seed: int) -> tuple[list, int, int]:
    """`count` items from `make(seeds)` (each a tuple, image first) whose image is not a near-copy of a training
    image, drawing new seeds for dropped ones (fewer if MAX_REDRAWS rounds do not find enough; no check when
    `guard` is None). Returns the items, how many were dropped, and the next unused seed."""
    kept: list = []
    dropped, seed = 0, first_seed
    for _ in range(MAX_REDRAWS):
        need = count - len(kept)
        if need <= 0:
            break
        made = make(list(range(seed, seed + need)))
        seed += need
        if guard is None:
            kept += made
            continue
        _, sim = guard.nearest([item[0] for item in made])
        limit = guard.threshold(floor)
        kept += [item for item, s in zip(made, sim) if s < limit]
        dropped += int((sim >= limit).sum())
    return kept, dropped, seed


def run_augment(o: AugmentOptions, say=print) -> dict:
    from gantools.recipes.augment.recipe import typical_side

    listing = check_options(o)
    say(listing.describe())
    loaded, train_minutes = (None, 0.0)
    if o.mode in ("gan", "mix"):
        loaded, train_minutes = load_or_train(o, listing, say)
        cfg = loaded.recipe.config
        train_size, channels, fit, model_id = cfg.size, loaded.recipe.channels, cfg.fit, str(loaded.path)
        sampler = loaded.recipe.predictor(loaded.networks, resolve_device(o.device))
    else:
        from gantools.data.folders import looks_gray
        from gantools.recipes.augment.recipe import size_for

        train_size, fit, model_id, sampler = o.size or size_for(typical_side(listing.files)), o.fit, "", None
        channels = 1 if looks_gray(listing.files) else 3
    size = export_side(o, train_size, listing.files)
    listed = len(listing.skipped)
    real = real_images(listing, size, channels, fit)
    if len(listing.skipped) > listed:  # found only now, on decoding: the data line above still counted them
        late = listing.skipped[listed:]
        say(f"{len(late)} more file(s) could not be decoded and were left out: "
            + "; ".join(f"{Path(f).name} ({r})" for f, r in late[:5]) + (f"; and {len(late) - 5} more" if len(late) > 5 else ""))
    choosing = o.n is None and o.check  # the merge check picks how many, of as many as the real images
    if o.n is None:
        o = replace(o, n=max(1, round(max(DEFAULT_SHARES) * sum(len(v) for v in real.values()))))
        if not choosing:
            say(f"no --n and --no-check: exporting {o.n} images, as many as your real ones, unchecked")
    made_n = o.n
    counts = class_counts({c: len(v) for c, v in real.items()}, made_n, o.balance)
    pipeline = classic.policy(o.policy, size, o.flip) if o.mode in ("classic", "mix") else None
    o.out.mkdir(parents=True, exist_ok=True)
    writer = SynthWriter(o.out)
    start = time.perf_counter()
    dropped: dict[str, int] = {}
    thresholds: dict[str, float] = {}
    grids = []
    side, share = merge_check.check_side(size), min(1.0, merge_check.MAX_SYNTHETIC / made_n)
    checked: dict[str, list[np.ndarray]] = {}
    held: dict[str, list] = {}  # choosing: the images wait until the check has picked how many
    next_seed = o.seed * 10_000_019  # seeds of different --seed runs never meet
    for label, cls in enumerate(listing.classes):
        guard = memorization.NearestTraining([im for _, im in real[cls]])
        # A classic copy is derived from a real image by design; its origin is in the manifest, so it is not checked.
        make = lambda seeds: _make(o, sampler, label, cls, seeds, real[cls], pipeline, size, model_id)  # noqa: E731
        kept, dropped[cls], next_seed = redraw_near_copies(make, None if o.mode == "classic" else guard, o.copy_threshold,
                                                           counts[cls], next_seed)
        if len(kept) < counts[cls]:
            raise UserError(f"class '{cls}': after {MAX_REDRAWS} rounds only {len(kept)} of {counts[cls]} images were not "
                            f"near-copies of training images; lower --truncation, use --mode gan, or raise --copy-threshold")
        if choosing:
            held[cls] = kept
        else:
            for i, (im, row) in enumerate(kept):
                writer.write(im, cls, i, row)
        grids.append([im for im, _ in kept[:8]])
        if o.check:  # also when choosing, which needs the check
            checked[cls] = [_resize(im, side) for im, _ in kept[: round(len(kept) * share)]]
        thresholds[cls] = round(guard.threshold(o.copy_threshold), 4)
    export_seconds = time.perf_counter() - start
    merged = None
    if o.check:
        real_side = {c: [_resize(im, side) for _, im in v] for c, v in real.items()}
        device = resolve_device(o.device)
        if choosing:
            say(f"no --n: a small classifier on your images alone and with {', '.join(f'{s:g}' for s in DEFAULT_SHARES)} "
                f"synthetic per real image ({merge_check.SEEDS} seeds each) picks how many to export")
            chosen, merged = merge_check.choose(real_side, checked, listing.classes, o.seed, device, DEFAULT_SHARES, share)
            counts = {c: min(len(held[c]), k) for c, k in class_counts({c: len(v) for c, v in real.items()},
                                                                       round(chosen * made_n), o.balance).items()}
            o = replace(o, n=sum(counts.values()))
            started = time.perf_counter()
            for cls in listing.classes:
                for i, (im, row) in enumerate(held[cls][: counts[cls]]):
                    writer.write(im, cls, i, row)
            export_seconds += time.perf_counter() - started
            say(merge_check.choice_message(chosen, o.n, merged))
        else:
            say(f"merge check: a small classifier on your images with and without the export ({merge_check.SEEDS} seeds each; --no-check skips it)")
            merged = merge_check.run(real_side, checked, listing.classes, o.seed, device, checked_fraction=share)
            say(merge_check.message(merged))
    manifest = writer.close()
    grid_path = _save_class_grid(grids, o.out / "report-samples.png")
    report = {
        "dataset": str(o.dataset), "out": str(o.out), "mode": o.mode, "balance": o.balance, "n": o.n,
        "classes": {c: {"real": len(real[c]), "synthetic": counts[c], "near_copies_dropped": dropped[c]} for c in listing.classes},
        "near_copy_check": {"feature_space": memorization.FEATURE_SPACE, "threshold": o.copy_threshold,
                            "dropped_and_redrawn": sum(dropped.values()), "threshold_per_class": thresholds,
                            "applies_to": "GAN samples (gan, mix); classic copies name their real origin instead"},
        "model": model_id or None, "truncation": o.truncation, "policy": o.policy if pipeline else None,
        # GPU and CPU arithmetic differ in the last bits: a manifest image is remade exactly on the same kind of device.
        "sampled_on": str(sampler.device) if sampler else None, "image_size": size, "training_minutes": round(train_minutes, 2), "export_seconds": round(export_seconds, 2),
        "images_per_s": round(o.n / max(export_seconds, 1e-9), 1), "manifest": str(manifest), "samples": str(grid_path),
        "skipped_files": [{"file": f, "reason": r} for f, r in listing.skipped],
        "html": str(o.out / html.EXPORT_PAGE), "merge_check": merged,
    }
    from gantools.files.atomic import write_text

    write_text(o.out / REPORT_NAME, json.dumps(report, indent=2) + "\n")
    html.export_page(report, dict(zip(listing.classes, grids))).save(o.out / html.EXPORT_PAGE)
    return report


def _make(o: AugmentOptions, sampler, label: int, cls: str, seeds: list[int], real: list[tuple[Path, np.ndarray]],
          pipeline, size: int, model_id: str) -> list[tuple[np.ndarray, Row]]:
    out = []
    if o.mode in ("gan", "mix"):
        images = gan_images(sampler, label, seeds, o.truncation)
        for im, seed in zip(images, seeds):
            im = _resize(im, size)
            if o.mode == "mix":
                im = classic.augment(pipeline, im, seed)
            out.append((im, Row("", cls, o.mode, seed, model_id, o.truncation)))
    else:
        for seed in seeds:
            path, im = real[np.random.default_rng(seed).integers(len(real))]
            out.append((classic.augment(pipeline, im, seed), Row("", cls, "classic", seed, "", None, str(path.relative_to(o.dataset)))))
    return out


def _save_class_grid(rows: list[list[np.ndarray]], path: Path) -> Path:
    """Up to 8 exported samples per class, one row per class."""
    width = max(len(r) for r in rows)
    tiles = []
    for r in rows:
        for i in range(width):
            im = r[i] if i < len(r) else np.full_like(rows[0][0], 255)
            arr = im[..., None] if im.ndim == 2 else im
            tiles.append(torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1))).float() / 127.5 - 1)
    save_grid(torch.stack(tiles), path, nrow=width)
    mark_not_data(path.parent, path.name)  # the folder stays a class-folder dataset: the grid beside the classes is not data
    return path


BENEFIT_NAME = "benefit-report.json"


def split_held_out(listing: Listing, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Indices of training and held-out files: `fraction` of each class held out (at least 1, and 2 kept)."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in range(len(listing.classes)):
        idx = [i for i, y in enumerate(listing.labels or []) if y == label]
        rng.shuffle(idx)
        k = min(max(1, round(len(idx) * fraction)), len(idx) - 2)
        if k < 1:
            raise UserError(f"class '{listing.classes[label]}' has {len(idx)} images: too few to hold any out "
                            "(need 3; or give held-out images with --test)")
        test += idx[:k]
        train += idx[k:]
    return sorted(train), sorted(test)


def held_out_unseen(weights_path: Path, test_files: list[Path], test_dir: Path | None, model: str, say) -> bool | None:
    """Whether a reused --model never trained on the held-out images, from its run's list of training-file
    digests: True, False (it saw some: (b), (d) and CAS are flattered), or None where there is no list."""
    from gantools.train import provenance

    held = "the images held out here" if test_dir is None else f"the --test images in '{test_dir}'"
    seen = provenance.seen_by(weights_path)
    if seen is None:
        say(f"note: --model '{model}' has no {provenance.NAME} beside it, so whether it trained on {held} cannot be "
            "checked; if it did, (b), (d) and CAS are flattered. Leave out --model to train a GAN on the training part only")
        return None
    overlap = sum(provenance.digest_or_none(f) in seen for f in test_files)
    if overlap:
        say(f"warning: --model '{model}' trained on {overlap} of {held}: (b), (d) and CAS are flattered; "
            "leave out --model to train a GAN on the training part only")
    return overlap == 0


def run_benefit(o: AugmentOptions, test_dir: Path | None = None, held_out: float = 0.3, synthetic: int | None = None,
                seeds: int = 3, say=print) -> dict:
    """The benefit report: train a GAN on the training part only, then classifiers (a)-(d), CAS, FID.

    Synthetic images in all (GAN, and as many classic): `synthetic`, else o.n, else 5x the largest class per
    class; shared among the classes by o.balance, as an export would share them."""
    import shutil
    import tempfile

    from gantools.recipes.augment import benefit

    listing = check_shared_options(o)
    if test_dir is not None:
        test_listing = list_data(test_dir, conditional=True)
        if test_listing.classes != listing.classes:
            raise UserError(f"--test classes {test_listing.classes} differ from the dataset's {listing.classes}")
        train_idx, test_files, test_labels = list(range(len(listing.files))), test_listing.files, test_listing.labels
    else:
        train_idx, test_idx = split_held_out(listing, held_out, o.seed)
        test_files, test_labels = [listing.files[i] for i in test_idx], [listing.labels[i] for i in test_idx]
    with tempfile.TemporaryDirectory() as tmp:
        train_root = Path(tmp) / "train"
        originals = {}  # copy -> the user's file, so skipped files are reported by their own names
        for i in train_idx:  # the GAN and the classifiers see only this part
            dst = train_root / listing.classes[listing.labels[i]] / f"{i:06d}{listing.files[i].suffix.lower()}"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(listing.files[i], dst)
            originals[str(dst)] = str(listing.files[i])
        train_listing = list_data(train_root, conditional=True)
        run = o.run_dir or default_run(o.dataset).parent / f"{default_run(o.dataset).name}_benefit"
        sub = replace(o, dataset=train_root, run_dir=run)
        loaded, minutes = load_or_train(sub, train_listing, say)
        unseen = True if o.model is None else held_out_unseen(loaded.path, test_files, test_dir, o.model, say)
        cfg = loaded.recipe.config
        # Judge the images an export would ship: at --export-size when given (a 32-px GAN's samples scaled to 64).
        size, channels, fit = export_side(o, cfg.size, train_listing.files), loaded.recipe.channels, cfg.fit
        real = real_images(train_listing, size, channels, fit)
        total = synthetic or o.n or len(real) * max(20, 5 * max(len(v) for v in real.values()))
        counts = class_counts({c: len(v) for c, v in real.items()}, total, o.balance)
        device = resolve_device(o.device)
        sampler = loaded.recipe.predictor(loaded.networks, device)
        pipeline = classic.policy(o.policy, size, o.flip)
        sets = {"real": ([], []), "gan": ([], []), "classic": ([], [])}
        near_copies: dict[str, int] = {}
        for label, cls in enumerate(train_listing.classes):
            for _, im in real[cls]:
                sets["real"][0].append(im)
                sets["real"][1].append(label)
            count = counts[cls]
            seeds_ = list(range(label * 1_000_003, label * 1_000_003 + count))
            # (b), (d) and CAS judge the samples an export would ship: near-copies are dropped and redrawn here too.
            guard = memorization.NearestTraining([im for _, im in real[cls]])
            make = lambda seeds: [(_resize(im, size),) for im in gan_images(sampler, label, seeds, o.truncation)]  # noqa: E731
            shipped, near_copies[cls], _ = redraw_near_copies(make, guard, o.copy_threshold, count, seeds_[0])
            sets["gan"][0].extend(im for im, in shipped)
            sets["gan"][1].extend([label] * len(shipped))
            for s in seeds_:
                _, im = real[cls][np.random.default_rng(s).integers(len(real[cls]))]
                sets["classic"][0].append(classic.augment(pipeline, im, s))
                sets["classic"][1].append(label)
        # (e) merges what an export would ship into the real images: --n of them, else as many as the real ones.
        merge_counts = class_counts({c: len(v) for c, v in real.items()}, o.n or len(sets["real"][1]), o.balance)
        sets["gan_merged"] = ([], [])
        for label, cls in enumerate(train_listing.classes):
            mine = [im for im, y in zip(*sets["gan"]) if y == label][: merge_counts[cls]]
            sets["gan_merged"][0].extend(mine)
            sets["gan_merged"][1].extend([label] * len(mine))
        skipped = [(originals.get(f, f), reason) for f, reason in train_listing.skipped]
    test_ok = readable_squares(test_files, size, channels, fit, skipped)
    test_images, test_labels = [pix for _, pix in test_ok], [test_labels[i] for i, _ in test_ok]
    if skipped:
        say(f"skipped {len(skipped)} unreadable file(s), listed in the report: " + ", ".join(f for f, _ in skipped[:3]))
    say(f"classifiers: {len(benefit.CONFIGS)} training sets x {seeds} seeds, tested on {len(test_images)} held-out real images")
    result = benefit.report(sets, (test_images, test_labels), listing.classes, seeds=seeds, progress=o.progress, device=device)
    result.update({"dataset": str(o.dataset), "held_out": str(test_dir) if test_dir else f"{held_out:.0%} of each class (seed {o.seed})",
                   "gan_model": str(loaded.path), "gan_training_minutes": round(minutes, 2),
                   # True: no held-out image is in the GAN's training list (always so when trained here); None: no list.
                   "gan_trained_without_held_out": unseen, "balance": o.balance, "synthetic_per_class": counts,
                   "gan_near_copies_dropped": {"per_class": near_copies, "total": sum(near_copies.values()),
                                               "threshold": o.copy_threshold, "feature_space": memorization.FEATURE_SPACE},
                   "policy": o.policy, "truncation": o.truncation, "image_size": size,
                   "skipped_files": [{"file": f, "reason": r} for f, r in skipped]})
    o.out.mkdir(parents=True, exist_ok=True)
    from gantools.files.atomic import write_text

    write_text(o.out / BENEFIT_NAME, json.dumps(result, indent=2) + "\n")
    grids = [[im for im, y in zip(*sets["gan"]) if y == label][:8] for label in range(len(listing.classes))]
    _save_class_grid(grids, o.out / "report-samples.png")
    html.benefit_page(result, dict(zip(listing.classes, grids))).save(o.out / html.BENEFIT_PAGE)
    return result
