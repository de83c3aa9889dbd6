"""Data folders: listing, class folders, and bad files in both the in-memory and the on-the-fly dataset."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from gantools.data.folders import SquareImages, fit_square, list_data
from gantools.errors import UserError


def make_folder(root, n=6, size=(30, 20)):
    root.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 255, (*size, 3), dtype=np.uint8)).save(root / f"{i}.png")
    whole = (root / "0.png").read_bytes()
    (root / "zz_truncated.png").write_bytes(whole[: len(whole) // 2])  # header intact, pixels missing
    (root / "zz_empty.png").write_bytes(b"")
    (root / ".hidden.png").write_bytes(whole)  # hidden files are not data
    return root


@pytest.mark.parametrize("preload", [True, False])
def test_bad_files_never_reach_training(tmp_path, preload):
    listing = list_data(make_folder(tmp_path / "d"), conditional=False)
    assert len(listing.files) == 8  # hidden file ignored
    dataset = SquareImages(listing, channels=3, size=16, preload=preload)
    items = [dataset[i] for i in range(len(dataset))]
    assert all(img.shape == (3, 16, 16) for img, _ in items)
    skipped = {name.split("/")[-1] for name, _ in listing.skipped}
    if preload:  # decoded up front: both bad files found and counted
        assert skipped == {"zz_truncated.png", "zz_empty.png"} and len(dataset) == 6
    else:  # headers checked up front; the truncated file is replaced by its neighbour when read
        assert skipped == {"zz_empty.png"} and len(dataset) == 7


def test_class_folders_and_labels(tmp_path):
    for name in ("b_cls", "a_cls"):
        make_folder(tmp_path / "c" / name, n=2)
    listing = list_data(tmp_path / "c", conditional=True)
    assert listing.classes == ["a_cls", "b_cls"]
    dataset = SquareImages(listing, channels=1, size=16)
    assert sorted({label for _, label in (dataset[i] for i in range(len(dataset)))}) == [0, 1]
    assert dataset[0][0].shape == (1, 16, 16)


def test_not_a_folder(tmp_path):
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(UserError, match="not a folder"):
        list_data(tmp_path / "file.png", conditional=False)


def test_fit_square_keeps_the_centre():
    img = np.zeros((40, 80, 3), np.uint8)
    img[:, 20:60] = 255  # the centre square is white, the sides black
    out = fit_square(img, 20)
    assert out.shape == (20, 20, 3) and out.min() == 255


def test_cut_tiles_cover_the_whole_photo():
    from gantools.data.folders import cut_tiles

    img = np.arange(60 * 100, dtype=np.float32).reshape(60, 100)
    tiles = cut_tiles(img, size=20, short_side=60)  # no resize: 60 x 100 cut at stride 10
    assert all(t.shape == (20, 20, 1) for t in tiles)
    assert len(tiles) == 5 * 9  # y in 0..40, x in 0..80
    assert tiles[-1][-1, -1, 0] == img[-1, -1]  # the last tile reaches the bottom-right corner
