"""The bundled upscalers by scale and kind (`--model psnr|gan|real`), one lookup for the command line and the Python API."""

from __future__ import annotations

from gantools.errors import UserError

KINDS = {"psnr": "", "gan": "-gan", "real": "-real"}  # --model psnr|gan|real -> the bundled name's ending


def bundled_model(scale: int, kind: str, option: str = "scale") -> str:
    """The bundled model of `kind` at `scale`; a UserError listing the bundled ones when there is none."""
    from gantools.files import weights

    name = f"superres-x{scale}{KINDS[kind]}"
    if name not in weights.bundled_names():
        have = sorted(n for n in weights.bundled_names() if n.startswith("superres-"))
        raise UserError(f"no bundled {kind} model for {option} {scale}; bundled: {', '.join(have) or 'none'}")
    return name
