"""`gantools serve`: the models on a local web page, for people who will never open a terminal."""

from __future__ import annotations

import click


@click.command("serve", short_help="A local web page: drop images or videos, see and download the results.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every network, with a warning).")
@click.option("--port", default=7860, show_default=True, type=int)
@click.option("--models", default=None, help="Comma-separated bundled names, run folders or model files (default: every bundled image model).")
@click.option("--concurrency", default=1, show_default=True, type=int, help="Inferences at once; further requests wait in a queue.")
@click.option("--max-upload-mb", default=100.0, show_default=True, type=float, help="Largest upload accepted.")
@click.option("--max-pixels", default=None, type=int, help="Refuse larger images (default: the command line's, 16384 x 16384).")
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:N, mps.")
def serve_cmd(host, port, models, concurrency, max_upload_mb, max_pixels, device):
    """Serve a page at http://HOST:PORT where files are run through the chosen model (the same runner as the
    commands: the same file gives the same output). Needs the [ui] extra: pip install -e ".[ui]"."""
    from gantools.errors import UserError

    try:
        import uvicorn

        from gantools.serve.app import create_app
    except ImportError as exc:
        raise UserError(f"gantools serve needs the [ui] extra ({exc.name} is missing): pip install -e \".[ui]\"") from None
    from gantools.device import resolve_device
    from gantools.files.imageio import DEFAULT_MAX_PIXELS
    from gantools.serve.models import default_names, load_models

    if concurrency < 1 or max_upload_mb <= 0 or not 0 < port < 65536:
        raise UserError("--concurrency must be at least 1, --max-upload-mb positive, --port between 1 and 65535")
    refs = [m.strip() for m in models.split(",") if m.strip()] if models else default_names()
    if not refs:
        raise UserError("--models names no model")
    _check_listen(host, port)
    served = load_models(refs, resolve_device(device))
    if not _loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this machine can use the page and its models "
                   "(there is no login); use 127.0.0.1 unless you mean it", err=True)
    app = create_app(served, max_upload_mb=max_upload_mb, max_pixels=max_pixels or DEFAULT_MAX_PIXELS, concurrency=concurrency)
    click.echo(f"serving {', '.join(served)} at http://{'localhost' if host == '127.0.0.1' else host}:{port}  (Ctrl+C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_listen(host: str, port: int) -> None:
    """A port in use or an address that is not this machine's, said in one line before models load (uvicorn
    would log it after the 'serving' line and exit 3)."""
    import errno
    import socket

    from gantools.errors import UserError

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a closing socket is no obstacle
            probe.bind((host, port))
    except OSError as exc:
        hint = "; choose another --port" if getattr(exc, "errno", None) == errno.EADDRINUSE else ""
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from None

