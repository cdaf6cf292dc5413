"""One mapping from errors to exit codes and Swedish messages, for every ``analys`` command.

A command's handler returns its exit code when it finishes and raises when it cannot;
:func:`run` turns what it raises into one message on the terminal and the exit code:

=====================================  ====  ==========================================
raised                                 exit  printed (stderr unless said)
=====================================  ====  ==========================================
``ParamsError`` (bad input)            2     every problem, one line each (a file
                                             ``analys import`` refused: and how many)
``KoladaError`` (the API failed)       1     ``Kolada: …`` (``fetch``: ``Hämtningen
                                             misslyckades: …``)
``StoreError``, other ``AnalysError``  1     the message
``KeyboardInterrupt`` (Ctrl-C)         130   ``Avbrutet.``
a batch stopped by a signal            128 + the batch's summary (stdout), or that
(``BatchInterrupted``)                 signal nothing had started
=====================================  ====  ==========================================

Some commands name themselves before the message (``analys render: …``); :data:`WORDING`
lists them. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

from analys.errors import AnalysError, KoladaError, ParamsError
from analys.own import ImportProblems
from analys.safe import terminal_text

OK = 0
FAILED = 1
BAD_INPUT = 2
INTERRUPTED = 130  # 128 + SIGINT

#: the exit code of each error class; the first class the error is an instance of wins
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (ParamsError, BAD_INPUT),
    (AnalysError, FAILED),
    (KeyboardInterrupt, INTERRUPTED),
)

#: the message of each error class (``{error}`` is the error's text), per command when the
#: command words it its own way; ``None`` as the command is every other command
WORDING: dict[tuple[str | None, type[BaseException]], str] = {
    (None, ParamsError): "{error}",
    (None, KoladaError): "Kolada: {error}",
    (None, AnalysError): "{error}",
    (None, KeyboardInterrupt): "Avbrutet.",
    ("render", ParamsError): "analys render: {error}",
    ("demo", ParamsError): "analys demo: {error}",
    ("app", ParamsError): "analys app: {error}",
    ("fetch", KoladaError): "Hämtningen misslyckades: {error}",
    ("kpi", ParamsError): "{terminal}",
    (None, ImportProblems): "{lines}\n{count} problem – inget lästes in. Rätta filen och försök "
    "igen.",
}

#: a batch stopped by a signal before any report started (``{signal}``: which signal)
NOTHING_STARTED = (
    "analys {command}: avbrutet av {signal} innan någon rapport hann starta – inget skrevs."
)


def exit_code(error: BaseException) -> int:
    """The exit code for ``error``: :data:`EXIT_CODES`; a stopped batch says its own."""
    own = getattr(error, "exit_code", None)
    if isinstance(error, KeyboardInterrupt) and isinstance(own, int):
        return own
    for kind, code in EXIT_CODES:
        if isinstance(error, kind):
            return code
    raise TypeError(f"{type(error).__name__} has no exit code")  # a bug, not an input


def message(command: str | None, error: BaseException) -> str:
    """The Swedish message for ``error`` raised by ``command`` (see :data:`WORDING`)."""
    summary = getattr(error, "summary", None)
    signum = getattr(error, "signum", None)
    if isinstance(error, KeyboardInterrupt) and summary is not None:
        return summary.text()
    if isinstance(error, KeyboardInterrupt) and isinstance(signum, int):
        from analys.render import signal_text  # import cost: the batch (already loaded here)

        return NOTHING_STARTED.format(command=command, signal=signal_text(signum))
    for kind in type(error).__mro__:
        template = WORDING.get((command, kind)) or WORDING.get((None, kind))
        if template:
            break
    else:  # pragma: no cover - every error run() catches has a wording
        template = "{error}"
    problems = getattr(error, "problems", None) or [str(error)]
    return template.format(
        error=error,
        terminal=terminal_text(error),
        lines="\n".join(terminal_text(p) for p in problems),
        count=len(problems),
    )


def emit(text: str, *, err: bool = False) -> None:
    """Print ``text``, ignoring a terminal that is gone (SIGHUP, a closed pipe); characters
    the terminal cannot show (a lone surrogate in a title) are replaced, not fatal."""
    stream = sys.stderr if err else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    text = text.encode(encoding, "replace").decode(encoding, "replace")
    with contextlib.suppress(OSError, ValueError):
        print(text, file=stream, flush=True)


def handled(command: str | None, error: BaseException) -> int:
    """Print ``error``'s message (:func:`message`) and return its exit code (:func:`exit_code`).

    A stopped batch's summary is the command's output (stdout); the rest is an error
    message (stderr).
    """
    summary = isinstance(error, KeyboardInterrupt) and getattr(error, "summary", None)
    emit(message(command, error), err=not summary)
    return exit_code(error)


def run(command: str | None, handler: Callable[..., int], *args: Any, **kwargs: Any) -> int:
    """``handler(*args, **kwargs)``'s exit code, or the code and message of what it raised."""
    try:
        return handler(*args, **kwargs)
    except (AnalysError, KeyboardInterrupt) as error:
        return handled(command, error)
