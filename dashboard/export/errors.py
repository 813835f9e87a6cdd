"""The export's errors, each one line meant for the user, and the command's name they start with."""

PROG = "alliance-atlas export"


class ExportError(Exception):
    """An export that cannot be done; the message is one line meant for the user."""


class InputError(ExportError):
    """Bad input from the user (exit status 2 of the command)."""
