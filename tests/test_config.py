"""Settings: YAML-typed values coerced to the declared types; unknown keys refused with the valid ones listed."""

from __future__ import annotations

import pytest

from gantools.config import apply_overrides, parse_assignments
from gantools.errors import UserError
from gantools.recipes.dcgan import DCGANConfig
from gantools.train.trainconfig import TrainConfig


def configs():
    return {"recipe": DCGANConfig(), "train": TrainConfig()}


def test_flat_sectioned_and_nested_keys():
    out = apply_overrides(configs(), {"arch": "mlp", "train.lr_g": "1e-4", "train": {"steps": 7}, "conditional": "yes"})
    assert out["recipe"].arch == "mlp" and out["recipe"].conditional is True
    assert out["train"].lr_g == pytest.approx(1e-4) and out["train"].steps == 7


def test_parse_assignments_reads_yaml_scalars():
    assert parse_assignments(["a=1", "b=0.5", "c=true", "d=hello", "e-f=2"]) == {"a": 1, "b": 0.5, "c": True, "d": "hello", "e_f": 2}
    with pytest.raises(UserError):
        parse_assignments(["novalue"])


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"nope": 1}, "unknown setting 'nope'"),
        ({"steps": "many"}, "wants int"),
        ({"steps": 2.5}, "wants int"),
        ({"conditional": "perhaps"}, "wants bool"),
        ({"model.size": 32}, "unknown settings section"),
        ({"size": 100}, "power of two"),
    ],
)
def test_bad_overrides(overrides, fragment):
    with pytest.raises(UserError, match=fragment):
        apply_overrides(configs(), overrides)
