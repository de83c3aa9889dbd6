"""A short real training on scikit-learn's handwritten digits.

Measures (stated here because "it learned" needs a definition):
- D accuracy leaves 100%: the share of real judged real and fakes judged fake, averaged over the
  last logged windows, ends below 0.99 -- G fools D part of the time.
- Samples differ from noise: a logistic-regression digit classifier fit on the real 8x8 digits labels
  the class-conditional samples (shrunk back to 8x8) as the class they were asked for at least 80% of
  the time; uniform noise images get about 10% (chance), and must stay under 30%.
- Not collapsed: the mean within-class distance between samples is at least 20% of that between real digits.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from scipy.spatial.distance import pdist
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from gantools.recipes.dcgan import DCGANConfig, DCGANRecipe
from gantools.data.toydata import write_digits
from gantools.train.trainconfig import TrainConfig
from gantools.train.trainer import Trainer


def to_8x8(images: np.ndarray) -> np.ndarray:
    """[0, 1] images of any size -> the 64 features scikit-learn's digits use (0..1 scale)."""
    return np.stack([cv2.resize(i.astype(np.float32), (8, 8), interpolation=cv2.INTER_AREA) for i in images]).reshape(len(images), -1)


def within_class_spread(features: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean([pdist(features[labels == c]).mean() for c in np.unique(labels)]))


def test_conditional_dcgan_learns_digits(tmp_path):
    write_digits(tmp_path / "digits", size=16)
    recipe = DCGANRecipe(DCGANConfig(size=16, base=32, z_dim=32, conditional=True))
    dataset = recipe.dataset(tmp_path / "digits")
    cfg = TrainConfig(steps=500, batch_size=64, log_every=25, sample_every=0, checkpoint_every=10**6, device="cpu", seed=0)
    trainer = Trainer(recipe, cfg, dataset, tmp_path / "run", progress=False)
    d_acc = []
    log = trainer._log
    trainer._log = lambda bar: (log(bar), d_acc.append(trainer.last_metrics["d_acc"]))
    generator = trainer.fit().networks["G"]

    assert np.mean(d_acc[-4:]) < 0.99, f"D still wins every time: {d_acc}"

    digits = load_digits()
    classifier = LogisticRegression(max_iter=3000).fit(digits.data / 16.0, digits.target)
    labels = torch.arange(10).repeat_interleave(40)
    with torch.no_grad():
        samples = generator(torch.randn(len(labels), 32, generator=torch.Generator().manual_seed(1)), labels)
    features = to_8x8((samples[:, 0].numpy() + 1) / 2)
    agreement = (classifier.predict(features) == labels.numpy()).mean()
    noise = to_8x8(np.random.default_rng(0).random((len(labels), 16, 16)))
    noise_agreement = (classifier.predict(noise) == labels.numpy()).mean()
    assert agreement >= 0.8, f"samples recognised as their class only {agreement:.0%} of the time"
    assert noise_agreement < 0.3
    spread = within_class_spread(features, labels.numpy()) / within_class_spread(digits.data / 16.0, digits.target)
    assert spread >= 0.2, f"samples within a class are near-identical (spread {spread:.2f} of real)"
