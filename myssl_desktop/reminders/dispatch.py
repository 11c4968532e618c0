"""From findings to notifications: only the events each profile wants, nothing during its
quiet hours (held back, so the next check sends it), and each event at most once ever. More
than a few at once (a first check of a busy account) become one notice that counts them: the
urgent ones (exposed, revoked within 24 h, a rotation or sign-in key in trouble) still come one
by one."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..errors import describe
from .findings import Finding
from .ledger import SentLedger
from .notify import Notice, Notifier, NotifyError
from .preferences import ReminderPrefs

log = logging.getLogger(__name__)
MAX_AT_ONCE = 3  # more new reminders than this in one check: one notice counts them


@dataclass(frozen=True)
class Delivery:
    sent: tuple[Finding, ...] = ()
    held: tuple[Finding, ...] = ()  # quiet hours: sent by a later check
    failed: str = ""  # why the notification service could not be used ("" when it could)


def notice_for(finding: Finding) -> Notice:
    return Notice(finding.title, finding.body, finding.target, finding.urgent)


def deliver(findings: Iterable[Finding], prefs: ReminderPrefs, ledger: SentLedger, notifier: Notifier,
            now: datetime) -> Delivery:
    wanted = [f for f in findings if prefs.for_profile(f.profile_id).wants(f.event)]
    fresh = set(ledger.unsent(f.once for f in wanted))
    due: list[Finding] = []
    held: list[Finding] = []
    for finding in wanted:
        if finding.once not in fresh:
            continue
        fresh.discard(finding.once)  # the same event found twice in one check: one notification
        (held if prefs.for_profile(finding.profile_id).quiet_at(now) else due).append(finding)
    one_by_one = [f for f in due if f.urgent]
    others = [f for f in due if not f.urgent]
    notices = [(notice_for(f), [f]) for f in one_by_one]
    if len(others) > MAX_AT_ONCE:
        notices.append((summary_notice(others), others))
    else:
        notices += [(notice_for(f), [f]) for f in others]
    sent: list[Finding] = []
    failed = ""
    for notice, covered in notices:
        try:
            notifier.send(notice)
        except NotifyError as error:
            failed = describe(error)
            log.warning("notification not shown: %s", failed)
            break  # the service is gone: the rest stays unsent, for the next check
        sent += covered
    ledger.record((f.once for f in sent), now)
    return Delivery(tuple(sent), tuple(held), failed)


def summary_notice(findings: list[Finding]) -> Notice:
    profiles = {f.profile_id for f in findings}
    target = f"profile/{next(iter(profiles))}" if len(profiles) == 1 else ""
    kinds = ", ".join(dict.fromkeys(f.event.label.lower() for f in findings))
    names = ", ".join(dict.fromkeys(f.title.split(": ", 1)[-1] for f in findings[:MAX_AT_ONCE]))
    count = len({f.target for f in findings})  # a key both due and spiking counts once
    return Notice(f"{count} keys need attention", f"{kinds}: {names}, and more. Open MySSL Desktop to see "
                  "them all.", target)


__all__ = ["Delivery", "deliver", "notice_for"]
