"""The project's "your input is wrong" error: the lowest module, so every layer may raise it."""


class AuthoringError(ValueError):
    """A problem in an instructor's files (or a student's pack), with the file named in the message."""
