"""augment's HTML pages: the export (per-class sample grids, counts, the GAN's loss curve) and the benefit report
(the classifiers' accuracies as a chart). Written beside report.json / benefit-report.json."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from gantools.files.html_page import HtmlPage, loss_figure

EXPORT_PAGE = "report.html"
BENEFIT_PAGE = "benefit-report.html"


def _png(images: list[np.ndarray]) -> bytes:
    """Up to 8 samples side by side, enlarged to at least 64 px so small ones can be seen."""
    from PIL import Image

    tiles = [Image.fromarray(im if im.ndim == 3 else np.repeat(im[..., None], 3, 2)) for im in images]
    side = max(64, tiles[0].height)
    tiles = [t.resize((side * t.width // t.height, side), Image.NEAREST) for t in tiles]
    strip = Image.new("RGB", (sum(t.width for t in tiles) + 4 * (len(tiles) - 1), side), "white")
    x = 0
    for tile in tiles:
        strip.paste(tile, (x, 0))
        x += tile.width + 4
    buf = io.BytesIO()
    strip.save(buf, "PNG")
    return buf.getvalue()


def _losses(page: HtmlPage, model: str | None) -> None:
    page.heading("The GAN's training losses")
    path = Path(model) if model else None
    metrics = next((p / "metrics.jsonl" for p in ((path, path.parent) if path else ()) if (p / "metrics.jsonl").is_file()), None)
    if metrics is None:
        page.paragraph("No training log beside the model.", note=True)
        return
    from gantools.train.runlog import read_metrics

    fig = loss_figure(read_metrics(metrics))
    if fig is not None:
        page.figure(fig, caption=str(metrics))


def export_page(report: dict, grids: dict[str, list[np.ndarray]]) -> HtmlPage:
    page = HtmlPage(f"gantools augment: {report['n']} images ({report['mode']})")
    page.facts({k: report[k] for k in ("dataset", "out", "mode", "balance", "n", "model", "truncation", "policy", "image_size",
                                       "training_minutes", "export_seconds", "manifest") if k in report})
    page.heading("Per class")
    page.table([{"class": c, **v} for c, v in report["classes"].items()])
    page.paragraph(f"Near-copies of training images dropped and redrawn: {report['near_copy_check']['dropped_and_redrawn']} "
                   f"({report['near_copy_check']['feature_space']}; {report['near_copy_check']['applies_to']}).", note=True)
    if report.get("merge_check"):
        from gantools.recipes.augment.merge_check import message

        page.heading("Merged into the training folder?")
        page.paragraph(message(report["merge_check"]), note=report["merge_check"].get("verdict") != "helps")
    page.heading("Samples, by class")
    for cls, images in grids.items():
        if images:
            page.image(_png(images), "image/png", caption=cls)
    if report.get("skipped_files"):
        page.heading("Skipped files")
        page.table(report["skipped_files"], ["file", "reason"])
    _losses(page, report.get("model"))
    return page


def benefit_page(result: dict, grids: dict[str, list[np.ndarray]]) -> HtmlPage:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    page = HtmlPage("gantools augment --evaluate: does synthetic data help a classifier?")
    page.facts({k: result[k] for k in ("dataset", "held_out", "gan_model", "gan_training_minutes", "balance", "image_size",
                                       "policy", "truncation") if k in result})
    names = list(result["accuracy"])
    means = [result["accuracy"][n]["accuracy_mean"] for n in names]
    stds = [result["accuracy"][n]["accuracy_std"] for n in names]
    if "cas" in result:
        names, means, stds = names + ["CAS (GAN only)"], means + [result["cas"]["accuracy_mean"]], stds + [result["cas"]["accuracy_std"]]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(names) + 1.2), dpi=100)
    colours = ["#777" if n == "a_real" else ("#1a7f37" if result.get("helps", {}).get(n) else "#c62828") for n in names]
    ax.barh(names[::-1], means[::-1], xerr=stds[::-1], color=colours[::-1], capsize=3)
    ax.axvline(means[0], color="#777", linestyle="--", linewidth=1)
    ax.set_xlabel("held-out accuracy (mean +- std over seeds)")
    ax.set_xlim(0, 1)
    page.heading("Accuracy by training set")
    page.figure(fig, caption="gray: real only (dashed line); green: helps; red: does not help")
    page.table([{"training set": n, "accuracy": m, "std": s, "helps": "" if n in ("a_real", "CAS (GAN only)") else result["helps"].get(n)}
                for n, m, s in zip(names, means, stds)])
    page.heading("GAN samples, by class")
    for cls, images in grids.items():
        if images:
            page.image(_png(images), "image/png", caption=cls)
    _losses(page, result.get("gan_model"))
    return page
