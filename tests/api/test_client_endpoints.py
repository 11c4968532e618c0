"""Every endpoint of the contract through `MysslClient`, against the sandbox over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from myssl_desktop.api import (
    ApiKey,
    ConnectionPool,
    CreatedKey,
    InvalidApiKey,
    MysslClient,
    RetryPolicy,
    Secret,
)
from myssl_desktop.sandbox import Sandbox
from tests.support import RecordingTransport


def test_current_returns_the_calling_key_and_its_account(client: MysslClient) -> None:
    current = client.current()
    assert current.api_key.name == "Sandbox admin"
    assert current.api_key.prefix == client.key_prefix
    assert current.account.tier == "enterprise"
    assert current.account.minute_limit == 3000
    assert current.account.max_active_keys == 25


def test_create_returns_a_working_secret_that_never_shows_in_reprs(
        client: MysslClient, sandbox: Sandbox, pool: ConnectionPool) -> None:
    created = client.create_key("  CI pipeline ", ["domains:read"])
    assert isinstance(created, CreatedKey)
    assert created.api_key.name == "CI pipeline"
    assert created.api_key.permissions == ("domains:read",)
    secret = created.secret.reveal()
    assert secret.startswith("myssl_k_") and len(secret) == 48
    assert created.api_key.prefix == secret[:12]
    for text in (repr(created), str(created), repr(created.secret), f"{created.secret}"):
        assert secret not in text
    new_client = MysslClient(sandbox.base_url, created.secret, pool=pool)
    assert secret not in repr(new_client)
    assert new_client.current().api_key.id == created.api_key.id


def test_create_without_permissions_inherits_the_callers(client: MysslClient) -> None:
    created = client.create_key("Inherits")
    assert set(created.api_key.permissions) == set(client.current().api_key.permissions)


def test_all_keys_walks_every_page(sandbox: Sandbox, client: MysslClient) -> None:
    sandbox.store.bulk_insert_keys(250, name_prefix="Bulk key")
    before = sandbox.requests_served
    keys = client.all_keys()
    assert sandbox.requests_served - before == 3  # 100 + 100 + 51
    assert len(keys) == 251
    assert len({k.id for k in keys}) == 251
    assert keys == sorted(keys, key=lambda k: (k.created_at, k.id), reverse=True)
    assert [k.name for k in client.all_keys(search="BULK KEY")] != []
    assert all(isinstance(k, ApiKey) for k in keys)


def test_list_keys_filters_by_status_and_search(client: MysslClient) -> None:
    keep = client.create_key("Staging web").api_key
    gone = client.create_key("Staging old").api_key
    client.revoke_key(gone.id)
    assert [k.id for k in client.all_keys(status="revoked")] == [gone.id]
    assert {k.id for k in client.all_keys(search="staging")} == {keep.id, gone.id}
    page = client.list_keys(per_page=1, status="active")
    assert len(page.items) == 1 and page.pagination.has_next and page.pagination.per_page == 1


def test_get_key_and_usage(client: MysslClient) -> None:
    key = client.current().api_key
    assert client.get_key(key.id).name == "Sandbox admin"
    usage = client.key_usage(key.id, days=7)
    assert usage.api_key_id == key.id
    assert len(usage.days) == 7
    assert [d.date for d in usage.days] == sorted(d.date for d in usage.days)
    assert usage.total == sum(d.requests for d in usage.days) >= 2


def test_batch_usage_is_one_request_in_list_order(client: MysslClient, sandbox: Sandbox) -> None:
    for name in ("One", "Two", "Three"):
        client.create_key(name)
    keys = client.all_keys()
    before = sandbox.requests_served
    usages = client.all_usage(days=30)
    assert sandbox.requests_served - before == 1
    assert [u.api_key_id for u in usages] == [k.id for k in keys]
    assert all(len(u.days) == 30 for u in usages)


def test_update_renames_and_schedules_and_cancels_a_revoke(client: MysslClient) -> None:
    key = client.create_key("Old name").api_key
    assert client.update_key(key.id, name="New name").name == "New name"
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    scheduled = client.update_key(key.id, expires_at=when)
    assert scheduled.status == "expiring" and scheduled.expires_at == when
    cancelled = client.update_key(key.id, expires_at=None)
    assert cancelled.status == "active" and cancelled.expires_at is None


def test_regenerate_keeps_the_key_and_kills_the_old_secret(
        client: MysslClient, sandbox: Sandbox, pool: ConnectionPool) -> None:
    created = client.create_key("Rotating", ["domains:read", "keys:read"])
    old = MysslClient(sandbox.base_url, created.secret, pool=pool, retry=RetryPolicy(attempts=1))
    old.current()
    again = client.regenerate_key(created.api_key.id)
    assert again.api_key.id == created.api_key.id
    assert again.api_key.name == "Rotating" and again.secret != created.secret
    with pytest.raises(InvalidApiKey):
        old.current()
    assert MysslClient(sandbox.base_url, again.secret, pool=pool).current().api_key.id == created.api_key.id


def test_revoke_is_idempotent(client: MysslClient) -> None:
    key = client.create_key("Doomed").api_key
    first = client.revoke_key(key.id)
    second = client.revoke_key(key.id)
    assert first.status == second.status == "revoked"
    assert first.revoked_at == second.revoked_at is not None


def test_domains_and_billing() -> None:
    with Sandbox(tier="pro", seed="demo") as sb:
        client = MysslClient(sb.base_url, sb.admin_key, pool=ConnectionPool())
        page = client.list_domains(per_page=1)
        assert len(page.items) == 1 and page.pagination.total >= 5
        assert page.items[0].hostname
        assert client.billing_usage().tier == "pro"


def test_rate_limit_headers_reach_the_caller(client: MysslClient) -> None:
    seen = []
    client.on_rate_limit = seen.append
    client.current()
    client.current()
    assert len(seen) == 2 and client.rate_limit == seen[-1]
    assert seen[0].minute_limit == 3000 and seen[0].daily_limit == 1_000_000
    assert seen[1].minute_remaining == seen[0].minute_remaining - 1


def test_one_connection_is_reused_with_user_agent(sandbox: Sandbox) -> None:
    transport = RecordingTransport()
    pool = ConnectionPool(transport=transport)
    client = MysslClient(sandbox.base_url, sandbox.admin_key, pool=pool)
    other = MysslClient(sandbox.base_url, Secret(sandbox.admin_key), pool=pool)
    for _ in range(5):
        client.current()
        other.list_keys()
    pool.close()
    assert sandbox.connections_opened == 1
    agents = {r.headers["user-agent"] for r in transport.requests}
    assert len(agents) == 1 and agents.pop().startswith("myssl-desktop/")
