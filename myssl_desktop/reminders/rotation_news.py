"""What the rotations came to, as findings: one finished (its old key revoked after the quiet
period), and one that needs the user. Apart from the key findings, so that a resident app with no
rotation in progress never loads the rotation machinery."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ..rotation import NeedsUser, Rotation, State, Waiting
from ..rotation.journal import parse_time
from ..rotation.runner import RunReport
from .findings import Event, Finding, rotation_target

DONE_NEWS_FOR = timedelta(days=2)  # a rotation finished longer ago than this is old news


def rotation_findings(rotations: Iterable[Rotation], reports: Iterable[RunReport], now: datetime) -> list[Finding]:
    """What the rotations came to: a finished one (old key revoked), and one that needs the user
    (it stopped, or the old key is still used after its quiet period)."""
    by_id = {report.rotation_id: report for report in reports}
    found = []
    for rotation in rotations:
        report = by_id.get(rotation.id)
        latest = report.outcome.rotation if report is not None and report.outcome is not None else rotation
        if latest.state in (State.REVOKED, State.SCHEDULED, State.DONE):
            finished = parse_time(latest.finished_at)
            if finished is None or now - finished <= DONE_NEWS_FOR:
                found.append(_rotation_finding(latest, Event.ROTATION_DONE, _done_words(latest), "done"))
            continue
        if latest.state.finished:
            continue
        if report is not None and isinstance(report.outcome, NeedsUser):
            found.append(_rotation_finding(latest, Event.ROTATION_NEEDS_YOU, report.outcome.message,
                                           type(report.outcome.problem).__name__, urgent=True))
        elif report is not None and isinstance(report.outcome, Waiting) and _still_used(report.outcome, now):
            found.append(_rotation_finding(latest, Event.ROTATION_NEEDS_YOU, report.outcome.reason, "still-used"))
        elif latest.attention:
            found.append(_rotation_finding(latest, Event.ROTATION_NEEDS_YOU, latest.attention, "attention",
                                           urgent=True))
    return found


def _still_used(outcome: Waiting, now: datetime) -> bool:
    """The old key was used after delivery and, a quiet period after delivery, is not quiet yet."""
    drain, delivered = outcome.drain, parse_time(outcome.rotation.delivered_at)
    if drain is None or delivered is None or not drain.used_after_delivery or drain.quiet_enough:
        return False
    return (now - delivered).total_seconds() >= drain.quiet_period_s


def _done_words(rotation: Rotation) -> str:
    if rotation.state == State.SCHEDULED:
        return (f"“{rotation.old_key_name}” ({rotation.old_prefix}…) was quiet for its quiet period; its revoke is "
                f"scheduled and “{rotation.new_key_name}” is in use.")
    return (f"“{rotation.old_key_name}” ({rotation.old_prefix}…) was quiet for its quiet period and is revoked; the "
            f"new key ({rotation.new_prefix}…) is in use.")


def _rotation_finding(rotation: Rotation, event: Event, body: str, once: str, *, urgent: bool = False) -> Finding:
    return Finding(event, rotation.profile_id, f"{event.label}: {rotation.old_key_name}", body,
                   f"{event.value}/{rotation.id}/{once}", rotation_target(rotation.id), urgent=urgent)


__all__ = ["rotation_findings"]
