"""The app's failures: one base class, and one function that turns any failure into words.

Every failure the app explains to a person derives from `AppError`; its `str()` is a
sentence they can act on. `describe()` is the only place that turns an exception into the
words a dialog, banner, status line or the CLI shows, so every surface says the same thing.
"""

from __future__ import annotations

from typing import ClassVar

from .redaction import redact


class AppError(Exception):
    """Base of every failure the app explains: `str(error)` is the message, never a secret.

    Every text argument is redacted when the error is made, so a key that slipped into a message
    (a server's answer, a key's name, a path) is cut to its prefix in `str()`, `repr()`, tracebacks
    and logs alike, whoever raises the error and however it is printed.
    """

    transient: ClassVar[bool] = False  # trying again later may work (network, server, rate limit)
    retry_after: int | None = None  # whole seconds to wait before trying again, when the failure says so

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))


def describe(error: BaseException, doing: str = "") -> str:
    """What went wrong, in words a person can act on, with every key cut to its prefix.

    `doing` names what failed, as a verb phrase: `describe(e, "refresh the keys")` gives
    "Could not refresh the keys. …".
    """
    if isinstance(error, AppError):
        text = str(error).strip()
        wait = error.retry_after
        if wait is not None and f"{wait} s" not in text:
            text += f" Try again in {wait} s."
    elif isinstance(error, OSError):
        reason = error.strerror or str(error) or type(error).__name__
        text = f"{reason}: {error.filename}." if error.filename else f"{reason}."
    else:  # a bug, not a situation: say so rather than pretend it is the user's to fix
        text = f"Something unexpected went wrong ({type(error).__name__}: {error}). The log file has details."
    text = text or type(error).__name__
    if doing:
        text = f"Could not {doing}. {text}"
    return redact(text)


__all__ = ["AppError", "describe"]
