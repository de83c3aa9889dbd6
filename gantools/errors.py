"""Errors a user can cause: the CLI prints their message on one line and exits with code 2."""


class UserError(Exception):
    """A mistake in how gantools was called (missing folder, unknown recipe, bad setting...)."""


class StopError(Exception):
    """The command cannot go on for a reason outside the user's input (a full or read-only disk): one line, exit 1."""


class TrainingDiverged(RuntimeError):
    """A loss became NaN or Inf: the run stops; the last good checkpoint is kept."""
