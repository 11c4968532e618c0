"""What a step of a rotation came to, typed, for the wizard, the CLI and the runner to show.

- Progress: a step was done; the next can follow at once.
- Waiting: nothing to do until time passes (the quiet period, a scheduled revoke), or until
  the user finishes a rotation they left for later.
- NeedsUser: it stopped, and says why and what to do (a target failed, a file changed, a
  checklist item is not ticked, the new key stopped working, the key limit).
- Finished: done or cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api.models import ApiKey, KeyClient
    from .commands import Ran
    from .journal import Rotation
    from .targets import Contents, Target


@dataclass(frozen=True)
class DrainStatus:
    old: ApiKey
    new: ApiKey
    used_after_delivery: bool
    quiet_for: timedelta  # since delivery or the old key's last use, whichever is later
    quiet_period_s: int
    # The old key's clients seen since delivery, most recent first: () when nothing used it;
    # None when they are not known, and `clients_note` says why (an older server, a failure).
    clients: tuple[KeyClient, ...] | None = ()
    clients_note: str = ""

    @property
    def quiet_enough(self) -> bool:
        return self.quiet_for.total_seconds() >= self.quiet_period_s

    @property
    def seconds_left(self) -> int:
        return max(0, self.quiet_period_s - int(self.quiet_for.total_seconds()))

    def summary(self) -> str:
        from ..timefmt import relative

        if self.used_after_delivery and not self.quiet_enough:
            return (f"Something still uses the old key: last used {relative(self.old.last_used_at)}. "
                    "Find what still has it; the old key is revoked once it has been quiet for the quiet period.")
        if self.quiet_enough:
            return "The old key has been quiet since delivery: revoking it is safe."
        return f"The old key has not been used since delivery; waiting {self.seconds_left} s more to be sure."

    def who(self, now: datetime | None = None, *, most: int = 5) -> str:
        """Which applications used the old key since delivery, for a terminal or a plain label
        (untrusted text already escaped): "Used since delivery by 203.0.113.7
        python-requests/2.32.3, last seen 40 s ago." "" when nothing used it."""
        from ..keyclients import client_line

        if not self.used_after_delivery:
            return ""
        if self.clients is None:
            return self.clients_note
        if not self.clients:
            return "MySSL lists no client of the old key since delivery."
        lines = [client_line(c, now) for c in self.clients[:most]]
        more = len(self.clients) - most
        return "Used since delivery by " + "; ".join(lines) + (f"; and {more} more." if more > 0 else ".")


# --- problems: why a rotation needs the user ---------------------------------------------


@dataclass(frozen=True)
class DeliveryFailed:
    """A target could not be updated. `changed`: someone else changed it (the rotation left
    it alone); `written`: the new key may be in it (a write was begun)."""

    index: int
    target: Target
    reason: str
    changed: bool = False
    written: bool = False


@dataclass(frozen=True)
class NeedsConfirmation:
    """A target holds something other than the old key: replace it only with the user's word."""

    index: int
    target: Target
    contents: Contents


@dataclass(frozen=True)
class WaitingForTicks:
    """Checklist items and commands the user must do and tick off."""

    indexes: tuple[int, ...]


@dataclass(frozen=True)
class NewKeyRejected:
    """The new key does not work (revoked elsewhere, missing a permission): the old key stays."""

    reason: str


@dataclass(frozen=True)
class KeyLimit:
    reason: str
    stale_keys: tuple[ApiKey, ...]


Problem = DeliveryFailed | NeedsConfirmation | WaitingForTicks | NewKeyRejected | KeyLimit


# --- outcomes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    rotation: Rotation
    did: str  # what the step did, in words
    runs: tuple[Ran, ...] = ()  # the command targets' programs this step ran (redacted output)


@dataclass(frozen=True)
class Waiting:
    rotation: Rotation
    reason: str
    retry_in_s: int | None  # None: only the user can move it on (finish later)
    drain: DrainStatus | None = None
    runs: tuple[Ran, ...] = ()


@dataclass(frozen=True)
class NeedsUser:
    rotation: Rotation
    problem: Problem
    message: str
    runs: tuple[Ran, ...] = ()


@dataclass(frozen=True)
class Finished:
    rotation: Rotation
    message: str
    runs: tuple[Ran, ...] = ()


Outcome = Progress | Waiting | NeedsUser | Finished

__all__ = ["DeliveryFailed", "DrainStatus", "Finished", "KeyLimit", "NeedsConfirmation", "NeedsUser",
           "NewKeyRejected", "Outcome", "Problem", "Progress", "Waiting", "WaitingForTicks"]
