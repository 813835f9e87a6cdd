"""The export's one error: what cannot be done, said in one line meant for the user."""


class ExportError(Exception):
    """An export that cannot be done; the message is one line meant for the user."""
