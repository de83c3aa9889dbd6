"""Hostile or damaged model files are refused in one line, quickly and without large allocations: absurd
architectures, tensors of the wrong kind, cards naming code to import, pickles with a payload."""

from __future__ import annotations

import json
import pickle
import resource
import shutil
import time
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from safetensors.torch import load_file, save_file

from gantools.cli.main import main
from gantools.files import weights


def copy_of(name: str, tmp_path: Path) -> Path:
    folder = tmp_path / name
    shutil.copytree(weights.resolve(name).parent, folder)
    return folder


def edit_card(folder: Path, **changes) -> None:
    card = json.loads((folder / "model.json").read_text())
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            card[section][field] = value
        else:
            card[key] = value
    (folder / "model.json").write_text(json.dumps(card))


def refused(ref, fragment, **kwargs):
    from gantools.errors import UserError

    with pytest.raises(UserError, match=fragment):
        weights.load(ref, **kwargs)


def test_a_billion_channels_is_refused_before_anything_is_allocated(tmp_path):
    folder = copy_of("superres-x2", tmp_path)
    edit_card(folder, config__channels=1_000_000_000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    refused(folder, "describes networks that cannot be built: Storage size calculation overflowed")
    edit_card(folder, config__channels=100_000)  # builds on meta, would take 1.4 TB for real
    refused(folder, "describes networks of .* parameters, but the file holds")
    assert time.perf_counter() - start < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB: nothing near the billion


def test_wrong_shapes_and_wrong_dtypes_are_refused(tmp_path):
    folder = copy_of("superres-x2", tmp_path)
    edit_card(folder, config__blocks=3)  # fewer blocks than the file holds
    refused(folder, "does not fit the architecture")
    folder = copy_of("superres-x2", tmp_path / "b")
    state = load_file(str(folder / "model.safetensors"))
    key = next(k for k in state if k.endswith("head.weight"))
    state[key] = state[key].to(torch.int32)
    save_file(state, str(folder / "model.safetensors"))
    refused(folder, f"tensor '{key.split('.', 1)[1]}' is torch.int32")


def test_a_card_naming_a_recipe_file_never_imports_it(tmp_path):
    marker = tmp_path / "ran.txt"
    evil = tmp_path / "evil.py"
    evil.write_text(f"open({str(marker)!r}, 'w').write('pwned')\n")
    folder = copy_of("superres-x2", tmp_path)
    edit_card(folder, recipe_source=str(evil))
    refused(folder, "never imports code by itself: pass the file with --recipe")
    result = CliRunner().invoke(main, ["run", str(folder), str(tmp_path), str(tmp_path / "o")])
    assert result.exit_code == 2 and "--recipe" in result.stderr
    assert not marker.exists()


def test_a_recipe_file_of_another_name_is_refused(tmp_path):
    other = tmp_path / "other.py"
    other.write_text("from gantools.recipes.dcgan import DCGANRecipe\n\nclass Other(DCGANRecipe):\n    name = 'other'\n")
    refused("superres-x2", "defines recipe 'other', but 'superres-x2' is a 'superres' model", recipe_file=other)


def test_checkpoints_with_a_pickled_payload_are_refused(tmp_path):
    from gantools.errors import UserError
    from gantools.train import checkpoint

    marker = tmp_path / "ran.txt"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "checkpoint.pt"
    path.write_bytes(pickle.dumps({"format": 2, "x": Payload()}))
    with pytest.raises(UserError, match="cannot be read"):
        checkpoint.load(path)
    assert not marker.exists()
