"""Settings given as free options (`--name value`, `--flag`, `--no-flag`) by `train` and `run`."""

from __future__ import annotations

from gantools.config import parse_assignments
from gantools.errors import UserError


def parse_extra_options(args: list[str]) -> dict:
    """Turn leftover `--name value`, `--name=value`, `--flag`, `--no-flag` into settings."""
    out, i = {}, 0
    while i < len(args):
        token = args[i]
        if not token.startswith("--") or len(token) < 3:
            raise UserError(f"unexpected argument '{token}'")
        name, eq, value = token[2:].partition("=")
        key = name.replace("-", "_")
        if eq:
            out.update(parse_assignments([f"{key}={value}"]))
        elif i + 1 < len(args) and not args[i + 1].startswith("--"):
            out.update(parse_assignments([f"{key}={args[i + 1]}"]))
            i += 1
        elif key.startswith("no_"):
            out[key[3:]] = False
        else:
            out[key] = True
        i += 1
    return out
