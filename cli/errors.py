"""How the CLI ends on a mistake: one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import errno
import sys

import click

from gantools.errors import StopError, TrainingDiverged, UserError


# Errors about a path itself (missing, not a folder, not allowed, taken by a file, name too long).
PATH_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EEXIST, errno.EISDIR, errno.ENAMETOOLONG)


class Group(click.Group):
    """A click group whose commands turn UserError into `error: ...` + exit 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except (TrainingDiverged, StopError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:
            if exc.errno in PATH_ERRNOS and exc.filename:  # a path given that cannot be made or used: the user's to fix
                why = "a file is in the way of a folder" if exc.errno in (errno.EEXIST, errno.ENOTDIR) else exc.strerror
                click.echo(f"error: {why}: '{exc.filename}'", err=True)
                sys.exit(2)
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
                raise
            where = f" '{exc.filename}'" if exc.filename else ""
            click.echo(f"error: cannot write{where}: {exc.strerror}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
