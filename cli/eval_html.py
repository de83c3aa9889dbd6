"""The page `gantools eval ... --html report.html` writes: figures, checks, per-image rows, example strips, loss curve."""

from __future__ import annotations

from pathlib import Path

from gantools.files.html_page import HtmlPage, loss_figure

MAX_PICTURES = 100  # a page of a 1,000-image evaluation stays openable; the JSON has every row


def eval_page(result: dict, title: str, data: Path, examples: Path | None, model_path: Path) -> HtmlPage:
    page = HtmlPage(title)
    page.facts({"model": result.get("model", model_path), "data": data, "images scored": len(result["rows"]),
                "skipped": len(result["skipped"]), **{f"option {k}": v for k, v in result.get("inference_options", {}).items()},
                **{f"eval {k}": v for k, v in result.get("eval_settings", {}).items()}})
    if result.get("checks"):
        page.heading("Checks")
        page.checks(result["checks"])
    page.heading("Means")
    page.table([{"figure": k, "mean": v} for k, v in result["summary"].items()], ["figure", "mean"])
    page.heading("Per image")
    page.table(result["rows"])
    if result["skipped"]:
        page.heading("Skipped")
        page.table(result["skipped"], ["file", "reason"])
    pictures = sorted(p for p in examples.rglob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg")) if examples else []
    if pictures:
        page.heading("Examples")
        page.paragraph("Each strip as the recipe draws it (e.g. superres: bicubic | model | original; colorize: gray | model | original).", note=True)
        for picture in pictures[:MAX_PICTURES]:
            page.image_file(picture, caption=str(picture.relative_to(examples)))
        if len(pictures) > MAX_PICTURES:
            page.paragraph(f"{len(pictures) - MAX_PICTURES} more example pictures not shown (see --examples).", note=True)
    page.heading("Training losses")
    metrics = next((p / "metrics.jsonl" for p in (model_path, model_path.parent) if (p / "metrics.jsonl").is_file()), None)
    fig = None
    if metrics is not None:
        from gantools.train.runlog import read_metrics

        fig = loss_figure(read_metrics(metrics))
    if fig is not None:
        page.figure(fig, caption=str(metrics))
    else:
        page.paragraph("No training log beside this model (bundled models ship without theirs; a run folder has metrics.jsonl).", note=True)
    return page
