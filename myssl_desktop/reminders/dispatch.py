"""From findings to notifications: only the events each profile wants, nothing during its
quiet hours (held back, so the next check sends it), and each event at most once ever."""

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
    sent: list[Finding] = []
    held: list[Finding] = []
    failed = ""
    for finding in wanted:
        if finding.once not in fresh:
            continue
        fresh.discard(finding.once)  # the same event found twice in one check: one notification
        if prefs.for_profile(finding.profile_id).quiet_at(now):
            held.append(finding)
            continue
        try:
            notifier.send(notice_for(finding))
        except NotifyError as error:
            failed = describe(error)
            log.warning("notification not shown: %s", failed)
            break  # the service is gone: the rest stays unsent, for the next check
        sent.append(finding)
    ledger.record((f.once for f in sent), now)
    return Delivery(tuple(sent), tuple(held), failed)


__all__ = ["Delivery", "deliver", "notice_for"]
