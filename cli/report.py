"""`gantools report merge OUT`: one report from the shard reports of a split folder run."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("report", short_help="Work with run reports (merge the reports of --shard runs).")
def report_cmd() -> None:
    """Reports written by the folder commands."""


@report_cmd.command("merge")
@click.argument("out", type=click.Path(file_okay=False))
def merge_cmd(out):
    """Join OUT's gantools-report-shard-K-of-N.json files (every K present) into OUT/gantools-report.json."""
    from gantools.infer.merge import merge_reports

    merged, path = merge_reports(Path(out))
    click.echo(f"{merged['shards']} shards: done {merged['done']}, skipped {merged['skipped']}, failed {len(merged['failed'])}"
               + (f"; stopped: {merged['stopped']}" if merged["stopped"] else "") + f"; report: {path}")
    sys.exit(1 if merged["failed"] or merged["stopped"] else 0)
