"""The exceptions of analys: one small hierarchy, like papermill's ``exceptions.py``.

Every message is Swedish and says what to do, because analysts read them.
"""

from __future__ import annotations


class AnalysError(Exception):
    """Base class of every error analys raises on purpose."""


class KoladaError(AnalysError):
    """The Kolada API (or the local store) could not give what was asked for."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        body: str | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.body = body


class ParamsError(AnalysError):
    """Bad input: a params file, a command-line argument or a function argument.

    ``problems`` holds one Swedish line per problem (file, field path, value, what is
    allowed); ``str(error)`` joins them.
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class StoreError(AnalysError):
    """A file of the local store cannot be read (damaged, truncated or missing).

    The message names the file and the remedy (``analys fetch`` heals the store, ``analys
    store check`` lists what is damaged); ``path`` is the file, ``reason`` what is wrong.
    """

    def __init__(self, message: str, *, path: str | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason
