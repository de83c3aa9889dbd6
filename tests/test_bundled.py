"""The README's main job, as written: sample from the bundled dcgan-digits model."""

from __future__ import annotations

import json

import cv2
import numpy as np
from click.testing import CliRunner
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from gantools import weights
from gantools.cli.main import main


def test_readme_main_job(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the README runs it from wherever the user stands
    result = CliRunner().invoke(main, ["sample", "dcgan-digits", "--n", "8", "--grid", "--out", "samples/"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "samples"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [str(i) for i in range(10)]
    assert (out / "grid.png").is_file() and json.loads((out / "samples.json").read_text())["images"] == 80

    # The pictures are digits of the class asked for (a classifier fit on scikit-learn's digits agrees).
    digits = load_digits()
    classifier = LogisticRegression(max_iter=3000).fit(digits.data / 16.0, digits.target)
    feats, asked = [], []
    for label in range(10):
        for path in sorted((out / str(label)).glob("*.png")):
            with Image.open(path) as im:
                pixels = np.asarray(im.convert("L"), np.float32) / 255.0
            feats.append(cv2.resize(pixels, (8, 8), interpolation=cv2.INTER_AREA).ravel())
            asked.append(label)
    agreement = (classifier.predict(np.array(feats)) == np.array(asked)).mean()
    assert agreement >= 0.85, agreement


def test_bundled_card_describes_its_training():
    loaded = weights.load("dcgan-digits", expect_recipe="dcgan")
    card = loaded.card
    assert card["classes"] == [str(i) for i in range(10)]
    assert "held out" in card["data_source"] and card["training"]["steps"] > 0
    assert loaded.path.stat().st_size < 20 * 2**20


def test_model_of_another_recipe_is_refused():
    import pytest

    from gantools.errors import UserError

    with pytest.raises(UserError, match="is a 'dcgan' model, not a 'colorize' model"):
        weights.load("dcgan-digits", expect_recipe="colorize")
