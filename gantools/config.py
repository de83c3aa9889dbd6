"""Config dataclasses overridden by a YAML file and `--set key=value`, with unknown keys refused."""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from gantools.errors import UserError


def setting(help: str, default: Any) -> Any:
    """A dataclass field with the one-line help that `gantools recipes NAME` prints."""
    return dataclasses.field(default=default, metadata={"help": help})


def field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def field_help(cls: type) -> dict[str, str]:
    return {f.name: f.metadata.get("help", "") for f in dataclasses.fields(cls)}


def coerce(value: Any, kind: Any, key: str) -> Any:
    """Turn a YAML-parsed value into the field's declared type, or say clearly why not."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
            return None
        return coerce(value, args[0], key)
    if origin in (tuple, list):
        items = value if isinstance(value, (list, tuple)) else [v for v in str(value).split(",") if v]
        inner = typing.get_args(kind)
        inner_type = inner[0] if inner else str
        return tuple(coerce(v, inner_type, key) for v in items) if origin is tuple else [coerce(v, inner_type, key) for v in items]
    if typing.get_origin(kind) is typing.Literal:
        if value not in typing.get_args(kind):
            raise UserError(f"setting '{key}' must be one of {', '.join(map(str, typing.get_args(kind)))}, got '{value}'")
        return value
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("1", "true", "yes", "on"):
                return True
            if str(value).lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if kind is str:
            return str(value)
    except (TypeError, ValueError):
        raise UserError(f"setting '{key}' wants {getattr(kind, '__name__', kind)}, got '{value}'") from None
    return value


def parse_assignments(pairs: typing.Iterable[str]) -> dict[str, Any]:
    """['lr_g=1e-4', 'arch=mlp'] -> {'lr_g': 0.0001, 'arch': 'mlp'} (values read as YAML scalars)."""
    out = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set wants key=value, got '{pair}'")
        try:
            out[key.strip().replace("-", "_")] = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            out[key.strip().replace("-", "_")] = raw
    return out


def read_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"config file '{path}' does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"config file '{path}' is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise UserError(f"config file '{path}' must hold a mapping of settings")
    return data


def apply_overrides(configs: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Apply flat (`lr_g`) or sectioned (`train.lr_g`, or a nested `train:` mapping) overrides.

    `configs` maps a section name to a dataclass instance; returns new instances. A key that no
    section has is an error naming the valid keys.
    """
    flat: dict[str, Any] = {}
    for key, value in overrides.items():
        if key in configs and isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    updates: dict[str, dict[str, Any]] = {name: {} for name in configs}
    for key, value in flat.items():
        section, _, name = key.rpartition(".")
        name = name.replace("-", "_")
        sections = [section] if section else [s for s, cfg in configs.items() if name in field_types(type(cfg))]
        if section and section not in configs:
            raise UserError(f"unknown settings section '{section}' (valid: {', '.join(configs)})")
        if not sections or name not in field_types(type(configs[sections[0]])):
            valid = sorted(k for cfg in configs.values() for k in field_types(type(cfg)))
            raise UserError(f"unknown setting '{key}' (valid: {', '.join(valid)})")
        for s in sections:
            updates[s][name] = coerce(value, field_types(type(configs[s]))[name], key)
    out = {}
    for name, cfg in configs.items():
        try:
            out[name] = dataclasses.replace(cfg, **updates[name])
        except (ValueError, TypeError) as exc:
            raise UserError(f"invalid setting: {exc}") from None
    return out


def to_dict(cfg: Any) -> dict[str, Any]:
    """A dataclass as plain YAML-friendly values (tuples become lists)."""

    def plain(v: Any) -> Any:
        return [plain(x) for x in v] if isinstance(v, (list, tuple)) else v

    return {k: plain(v) for k, v in dataclasses.asdict(cfg).items()}
