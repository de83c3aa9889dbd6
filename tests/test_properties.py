"""Property tests (hypothesis) where a rule is exact: tiling never changes the upscale, --balance counts always
sum to --n, colour conversions round-trip, pairs are matched by name and never by order."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from gantools.data.pairs import match_pairs
from gantools.recipes.augment.export import BALANCES, class_counts
from gantools.recipes.colorize.lab import lab_to_rgb, rgb_to_lab
from gantools.recipes.superres.recipe import SuperResConfig, SuperResRecipe

QUICK = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@QUICK
@given(h=st.integers(5, 70), w=st.integers(5, 70), scale=st.sampled_from([2, 4]), tile=st.integers(8, 40), seed=st.integers(0, 99),
       multiple=st.sampled_from([1, 8, 16]))
def test_tiled_upscale_equals_whole_for_any_size_scale_and_tile(h, w, scale, tile, seed, multiple):
    torch.manual_seed(seed)
    recipe = SuperResRecipe(SuperResConfig(scale=scale, channels=4, blocks=2, tile=0, tile_overlap=7, patch=8 * scale, load_size=8 * scale,
                                           size_multiple=multiple))
    predictor = recipe.predictor({"G": recipe.build_generator()}, "cpu")
    assert predictor.generator.receptive_radius <= 7
    image = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    whole = predictor.upscale(image)
    recipe.config = replace(recipe.config, tile=max(tile, 8))
    tiled = predictor.upscale(image)
    assert whole.shape == (h * scale, w * scale, 3)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1  # float rounding of the same sums, nothing more


@settings(max_examples=200, deadline=None)
@given(real=st.dictionaries(st.text("abcdefgh", min_size=1, max_size=4), st.integers(1, 500), min_size=1, max_size=12),
       n=st.integers(0, 5000), balance=st.sampled_from(BALANCES))
def test_balance_counts_always_sum_to_n(real, n, balance):
    counts = class_counts(real, n, balance)
    assert sum(counts.values()) == n and set(counts) == set(real) and min(counts.values()) >= 0


@settings(max_examples=50, deadline=None)
@given(pixels=st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)), min_size=1, max_size=64))
def test_rgb_to_lab_and_back_is_within_a_level(pixels):
    rgb = np.array(pixels, np.float32).reshape(1, -1, 3) / 255.0
    back = lab_to_rgb(rgb_to_lab(rgb))
    assert np.abs(back - rgb).max() * 255 < 1.0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text("abcxyz019", min_size=1, max_size=6), min_size=1, max_size=8, unique=True), data=st.data())
def test_pairs_match_by_name_never_by_order(tmp_path_factory, names, data):
    root = tmp_path_factory.mktemp("pairs")
    a, b = root / "A", root / "B"
    a.mkdir(), b.mkdir()
    in_b = data.draw(st.lists(st.sampled_from(names), unique=True, min_size=1), label="in_b")
    extra = data.draw(st.lists(st.text("klm", min_size=1, max_size=3), unique=True, max_size=3), label="only_b")
    for i, name in enumerate(names):
        Image.fromarray(np.full((4, 4), i, np.uint8)).save(a / f"{name}.png")
    for name in list(reversed(in_b)) + extra:  # written in another order, with names A lacks
        Image.fromarray(np.full((4, 4), 200, np.uint8)).save(b / f"{name}.png")
    listing = match_pairs(a, b)
    assert all(pa.stem == pb.stem for pa, pb in listing.pairs)
    assert {pa.stem for pa, _ in listing.pairs} == set(in_b)
    assert set(listing.only_b) == set(extra) - set(names)
