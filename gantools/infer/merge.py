"""`gantools report merge OUT`: the reports of N shards (`--shard K/N`) written into one output tree, as one."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gantools.errors import UserError
from gantools.files.atomic import write_text
from gantools.defaults import REPORT_NAME

_SHARD = re.compile(r"gantools-report-shard-(\d+)-of-(\d+)\.json$")


def merge_reports(out_dir: Path) -> tuple[dict, Path]:
    """Join OUT's shard reports into OUT/gantools-report.json; refuse when shards are missing or of two runs."""
    found: dict[int, dict[int, Path]] = {}
    for path in sorted(Path(out_dir).glob("gantools-report-shard-*-of-*.json")):
        match = _SHARD.search(path.name)
        if match:
            found.setdefault(int(match.group(2)), {})[int(match.group(1))] = path
    if not found:
        raise UserError(f"no shard reports (gantools-report-shard-K-of-N.json) in '{out_dir}'")
    if len(found) > 1:
        raise UserError(f"'{out_dir}' holds shard reports of runs split {sorted(found)} ways; keep one split")
    (n, shards), = found.items()
    missing = sorted(set(range(1, n + 1)) - set(shards))
    if missing:
        raise UserError(f"shard(s) {', '.join(map(str, missing))} of {n} have no report in '{out_dir}' yet")
    merged: dict = {"done": 0, "skipped": 0, "videos": 0, "frames": 0, "failed": [], "notes": [], "seconds": 0.0, "model_seconds": 0.0, "batches": 0,
                    "stage_seconds": {}, "stopped": None, "shards": n}
    stopped = []
    for k in range(1, n + 1):
        try:
            part = json.loads(shards[k].read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise UserError(f"shard report '{shards[k]}' cannot be read: {exc}") from None
        for key in ("done", "skipped", "videos", "frames", "batches", "model_seconds"):
            merged[key] += part.get(key, 0)
        merged["failed"] += part.get("failed", [])
        merged["notes"] += part.get("notes", [])
        merged["seconds"] = max(merged["seconds"], part.get("seconds", 0.0))  # the shards ran side by side
        for stage, value in part.get("stage_seconds", {}).items():
            merged["stage_seconds"][stage] = round(merged["stage_seconds"].get(stage, 0.0) + value, 3)
        if part.get("stopped"):
            stopped.append(f"shard {k}: {part['stopped']}")
    merged["stopped"] = "; ".join(stopped) or None
    merged["images_per_s"] = round(merged["done"] / merged["seconds"], 3) if merged["seconds"] else 0.0
    target = Path(out_dir) / REPORT_NAME
    write_text(target, json.dumps(merged, indent=2) + "\n")
    return merged, target
