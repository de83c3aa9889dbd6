"""Shared by the augment benchmarks: the benefit report on a train/test split, then export timing."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from gantools.recipes.augment.pipeline import AugmentOptions, run_augment, run_benefit
from gantools.recipes.augment.benefit import gain_text


def benefit_and_export(opts: AugmentOptions, test: Path, work: Path, synthetic: int | None, export_n: int = 5000,
                       seeds: int = 3) -> None:
    """Trains the GAN into work/gan (or reuses it there), prints (a)-(d), CAS and FID, then times an export."""
    gan = work / "gan"
    reuse = str(gan) if (gan / "model.safetensors").is_file() else None
    opts = replace(opts, out=work / "benefit", run_dir=gan, model=reuse, overwrite=True)
    result = run_benefit(opts, test_dir=test, synthetic=synthetic, seeds=seeds)
    for name, r in result["accuracy"].items():
        paired = gain_text(result["gain_over_real_by_seed"].get(name), len(r["per_seed"]))
        print(f"{name:20s} {r['accuracy_mean']:.4f} +- {r['accuracy_std']:.4f}  helps: {result['helps'].get(name, '-')}  {paired}".rstrip())
    fid = [v for v in result["fid_per_class"]["per_class"].values() if v is not None]
    print(f"CAS {result['cas']['accuracy_mean']:.4f} +- {result['cas']['accuracy_std']:.4f}; per-class FID "
          f"{min(fid):.0f}-{max(fid):.0f} ({result['fid_per_class']['features']})")
    trained = f"{result['gan_training_minutes']} min" if reuse is None else f"reused from {gan} (its minutes are in the first run's output)"
    print(f"GAN training: {trained}; synthetic per class in the report ({result['balance']}): {result['synthetic_per_class']} "
          f"({result['gan_near_copies_dropped']['total']} near-copies dropped and redrawn first)")
    start = time.perf_counter()
    report = run_augment(replace(opts, n=export_n, out=work / "synth", model=str(gan), progress=False, check=False),  # timed alone
                         say=lambda *_: None)
    print(f"export of {export_n} images: {time.perf_counter() - start:.1f} s wall ({report['export_seconds']:.1f} s sampling, "
          f"near-copy check and PNG writing); near-copies dropped: {report['near_copy_check']['dropped_and_redrawn']}")
    print(f"work folder: {work}")
