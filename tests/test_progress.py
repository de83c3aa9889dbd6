"""Progress off a terminal is whole lines (every 30 s and at the end), never carriage-return redraws."""

from __future__ import annotations

import io

from gantools.progress import PlainProgress, progress


def test_plain_lines_every_interval_and_at_the_end():
    now = [0.0]
    stream = io.StringIO()
    bar = PlainProgress(100, "train x", "step", 0, stream, every=30.0, clock=lambda: now[0])
    for _ in range(100):
        now[0] += 1.0  # a step a second: lines at 30, 60, 90 s, then the end
        bar.update(1)
        bar.set_postfix({"loss": "1.5"})
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and "\r" not in stream.getvalue()
    assert lines[0] == "train x: 30/100 step (30%), 1.00 step/s, ETA 1m10s; loss 1.5"
    assert lines[-1] == "train x: 100/100 step (100%), 1.00 step/s, done in 1m40s; loss 1.5"


def test_a_file_gets_lines_and_disabled_gets_nothing():
    stream = io.StringIO()
    assert isinstance(progress(5, "images", "img", stream=stream), PlainProgress)
    quiet = progress(5, "images", "img", enabled=False, stream=stream)
    quiet.update(5)
    quiet.close()
    assert stream.getvalue() == ""
