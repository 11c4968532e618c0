"""The two Part 1 endpoints the app uses: the domains list (a cheap probe) and billing."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from . import params
from .context import Context
from .ratelimit import MAX_ACTIVE_KEYS
from .responses import Response, json_response
from .store import DomainRow
from .timeutil import day_of, iso

DOMAIN_STATUSES = ("active", "inactive", "expiring", "expired")


def domain_json(domain: DomainRow, today: str) -> dict[str, Any]:
    days_left = None
    if domain.certificate_expiry is not None:
        days_left = (date.fromisoformat(domain.certificate_expiry) - date.fromisoformat(today)).days
    return {
        "id": domain.id,
        "hostname": domain.hostname,
        "port": domain.port,
        "ssl_grade": domain.ssl_grade,
        "ssl_score": domain.ssl_score,
        "certificate_expiry": domain.certificate_expiry,
        "days_until_expiry": days_left,
        "last_scan": iso(domain.last_scan),
        "is_active": domain.is_active,
        "monitoring_frequency": domain.monitoring_frequency,
        "created_at": iso(domain.created_at),
    }


def list_domains(ctx: Context) -> Response:
    page = params.page_request(ctx.query)
    status = params.choice_param(ctx.query, "status", DOMAIN_STATUSES)
    domains, total = ctx.store.list_domains(
        status=status,
        grade=params.first(ctx.query, "grade"),
        search=params.first(ctx.query, "search"),
        limit=page.per_page,
        offset=page.offset,
    )
    today = day_of(ctx.now)
    return json_response(200, {"domains": [domain_json(d, today) for d in domains],
                               "pagination": params.pagination(page, total)})


def billing_usage(ctx: Context) -> Response:
    limits = ctx.account.limiter.limits
    requests_today = ctx.account.limiter.requests_today()
    today = date.fromisoformat(day_of(ctx.now))
    last_day = calendar.monthrange(today.year, today.month)[1]
    data = {
        "tier": ctx.account.tier,
        "daily_limit": limits.daily_limit,
        "minute_limit": limits.minute_limit,
        # The same count as X-Daily-Remaining: requests of all keys today, 429s excluded.
        "requests_today": requests_today,
        "daily_remaining": max(0, limits.daily_limit - requests_today),
        "max_active_keys": MAX_ACTIVE_KEYS,
        "active_keys": ctx.store.count_active_keys(),
        # The billing period is the calendar month (UTC).
        "period_start": today.replace(day=1).isoformat(),
        "period_end": today.replace(day=last_day).isoformat(),
    }
    return json_response(200, {"success": True, "data": data})
