"""`gantools augment --dataset DIR [--n N]`: more labelled images for a class-folder dataset."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("augment", short_help="Grow a class-folder dataset: GAN samples, classic augmentation, or both.")
@click.option("--dataset", required=True, type=click.Path(), help="Class folders: DATASET/CLASS/*.jpg.")
@click.option("--n", type=int, default=None,
              help="How many synthetic images in all. Default: the merge check picks the largest of 1, 1/2 or 1/4 per real image that raised a plain classifier's accuracy on your images, or writes none (copied into the training folder, GAN samples can cost accuracy).")
@click.option("--out", type=click.Path(), default=None, help="Export folder (default: a sibling DATASET_synth).")
@click.option("--mode", type=click.Choice(["gan", "classic", "mix"]), default="gan", show_default=True,
              help="gan: GAN samples; classic: albumentations copies of real images; mix: GAN samples, each also augmented.")
@click.option("--balance", type=click.Choice(["equal", "proportional", "fill"]), default="proportional", show_default=True,
              help="Per-class counts: like the data's class sizes (keeps the class mix a classifier meets), equal, or topping every class up to the largest. --evaluate judges the same split.")
@click.option("--model", default=None, help="Reuse a trained augment model (run folder or file): no training.")
@click.option("--run", "run_dir", type=click.Path(), default=None, help="Where training goes (default: a sibling DATASET_gan).")
@click.option("--steps", type=int, default=None, help="Training steps (default 3000).")
@click.option("--minutes", type=float, default=None, help="Stop training after this many minutes (or at --steps).")
@click.option("--export-size", type=int, default=None, help="Exported side in pixels (default: the training resolution; 0: the dataset's typical size); --evaluate judges images at this side too.")
@click.option("--truncation", type=float, default=None, help="Redraw noise beyond +-T: less variety (BN statistics are measured for it). Check it with --evaluate: on digits T=1.0 took CAS 0.87 -> 0.83.")
@click.option("--size", type=click.Choice(["32", "64", "128"]), default=None, help="Training resolution (default: from the data's typical size).")
@click.option("--fit", type=click.Choice(["crop", "pad"]), default="crop", show_default=True,
              help="Squares by centre crop, or pad: the whole image on white (objects, stamps, product shots).")
@click.option("--policy", default="medium", show_default=True, help="Classic policy: light, medium, heavy, or an albumentations .yaml/.json file.")
@click.option("--no-flip", is_flag=True, help="Built-in policies without mirroring: for digits, letters, signs with text.")
@click.option("--copy-threshold", type=float, default=0.95, show_default=True, help="Drop and redraw images this similar to a training image.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--overwrite", is_flag=True, help="Allow an --out that already holds files (same names are replaced; nothing is deleted).")
@click.option("--check/--no-check", default=True, show_default=True,
              help="After the export, train a small classifier with and without it on your images (a quarter set aside) and say whether merging it into the training folder helps; without --n it picks the size.")
@click.option("--evaluate", is_flag=True, help="The benefit report instead of an export: does synthetic data help a classifier?")
@click.option("--seeds", type=int, default=3, show_default=True, help="--evaluate: classifier runs per training set; more steady the means (the spread stays the runs' own).")
@click.option("--test", "test_dir", type=click.Path(), default=None, help="--evaluate: held-out class folders (default: 30% of each class).")
@click.option("--device", default="auto", show_default=True, help="Where training, sampling and the --evaluate classifiers run: auto, cpu, cuda, cuda:N, mps.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def augment_cmd(dataset, n, out, mode, balance, model, run_dir, steps, minutes, export_size, truncation, size, fit, policy, no_flip, copy_threshold, seed,
                overwrite, check, evaluate, seeds, test_dir, device, quiet):
    """Train a class-conditional GAN on DATASET (or reuse --model) and export N labelled images into OUT,
    with manifest.csv, report.json, report.html (samples by class, counts, loss curve) and report-samples.png."""
    from gantools.recipes.augment.pipeline import MAX_EXPORT, AugmentOptions, default_out, run_augment, run_benefit
    from gantools.errors import UserError

    if seeds < 3:
        raise UserError(f"--seeds must be at least 3: a spread needs several runs (got {seeds})")
    if steps is not None and steps < 1:
        raise UserError("--steps must be at least 1")
    if minutes is not None and minutes <= 0:
        raise UserError("--minutes must be positive")
    src = Path(dataset)
    if n is not None and not 1 <= n <= MAX_EXPORT:
        raise UserError(f"--n must be between 1 and {MAX_EXPORT:,} (got {n:,})")
    opts = AugmentOptions(dataset=src, n=n, out=Path(out) if out else default_out(src), mode=mode, balance=balance, model=model,
                          run_dir=Path(run_dir) if run_dir else None, steps=steps, minutes=minutes, export_size=export_size,
                          truncation=truncation, size=int(size or 0), fit=fit, policy=policy, flip=not no_flip, seed=seed, overwrite=overwrite, copy_threshold=copy_threshold,
                          progress=not quiet, device=device, check=check)
    if evaluate:
        from gantools.recipes.augment.pipeline import BENEFIT_NAME
        from gantools.recipes.augment.benefit import gain_text

        result = run_benefit(opts, Path(test_dir) if test_dir else None, seeds=seeds, say=click.echo)
        shares = ", ".join(f"{c} {k}" for c, k in result["synthetic_per_class"].items())
        click.echo(f"synthetic images per class (--balance {result['balance']}): {shares}")
        for name, r in result["accuracy"].items():
            verdict = "" if name == "a_real" else ("  helps" if result["helps"][name] else "  does not help")
            paired = gain_text(result["gain_over_real_by_seed"].get(name), len(r["per_seed"]))
            click.echo(f"{name:20s} accuracy {r['accuracy_mean']:.3f} +- {r['accuracy_std']:.3f}{verdict}  {paired}".rstrip())
        if "cas" in result:
            click.echo(f"{'CAS (GAN only)':20s} accuracy {result['cas']['accuracy_mean']:.3f} +- {result['cas']['accuracy_std']:.3f}")
        click.echo(f"report: {opts.out / BENEFIT_NAME}")
        return
    report = run_augment(opts, say=click.echo)
    dropped = report["near_copy_check"]["dropped_and_redrawn"]
    click.echo(f"wrote {report['n']} images ({report['mode']}) to {report['out']} in {report['export_seconds']:.1f} s; "
               f"near-copies dropped and redrawn: {dropped}; manifest: {report['manifest']}")
