"""GET /api-keys, the usage endpoints and pagination."""

from __future__ import annotations

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import TODAY


def _ids(response: httpx.Response, field: str = "api_keys") -> list[int]:
    assert response.status_code == 200, response.text
    items = response.json()[field]
    return [item["id"] if field == "api_keys" else item["api_key_id"] for item in items]


@pytest.fixture
def keys(sb: Sandbox, clock) -> dict[str, int]:
    """Five keys besides the admin key, created at known times, one of each status."""
    made = {}
    made["old"] = sb.store.create_key("Old Backup", ["domains:read"], created_at=clock() - 900)[0]
    made["revoked"] = sb.store.create_key("Retired CI", ["domains:read"],
                                          created_at=clock() - 800, status="revoked")[0]
    made["expiring"] = sb.store.create_key("Rotating Deploy", ["domains:read"],
                                           created_at=clock() - 700, status="expiring")[0]
    # Two in the same second: the higher id comes first.
    made["twin1"] = sb.store.create_key("Twin one", ["domains:read"], created_at=clock() - 600)[0]
    made["twin2"] = sb.store.create_key("Twin two", ["domains:read"], created_at=clock() - 600)[0]
    return made


def test_newest_first_including_revoked(admin: httpx.Client, keys: dict[str, int]) -> None:
    admin_id = admin.get("/api-keys/current").json()["api_key"]["id"]
    assert _ids(admin.get("/api-keys")) == [admin_id, keys["twin2"], keys["twin1"],
                                            keys["expiring"], keys["revoked"], keys["old"]]


@pytest.mark.parametrize(("status", "expected"), [
    ("revoked", ["revoked"]),
    ("expiring", ["expiring"]),
    ("active", ["admin", "twin2", "twin1", "old"]),
])
def test_status_filter(admin: httpx.Client, keys: dict[str, int], status: str,
                       expected: list[str]) -> None:
    keys = {**keys, "admin": admin.get("/api-keys/current").json()["api_key"]["id"]}
    response = admin.get("/api-keys", params={"status": status})
    assert _ids(response) == [keys[name] for name in expected]
    assert response.json()["pagination"]["total"] == len(expected)
    assert {k["status"] for k in response.json()["api_keys"]} == {status}


def test_an_unknown_status_is_400(admin: httpx.Client) -> None:
    response = admin.get("/api-keys", params={"status": "deleted"})
    assert response.status_code == 400
    assert "status" in response.json()["message"]


def test_search_is_a_case_insensitive_substring_of_name_or_prefix(sb: Sandbox, admin: httpx.Client,
                                                                  keys: dict[str, int]) -> None:
    assert _ids(admin.get("/api-keys", params={"search": "twin"})) == [keys["twin2"], keys["twin1"]]
    assert _ids(admin.get("/api-keys", params={"search": "DEPLOY"})) == [keys["expiring"]]
    prefix = sb.store.get_key(keys["old"]).prefix  # type: ignore[union-attr]
    assert keys["old"] in _ids(admin.get("/api-keys", params={"search": prefix.upper()}))
    assert _ids(admin.get("/api-keys", params={"search": "twin", "status": "active"})) == [
        keys["twin2"], keys["twin1"]]
    nothing = admin.get("/api-keys", params={"search": "no such key"})
    assert nothing.json() == {"api_keys": [], "pagination": {
        "page": 1, "per_page": 20, "total": 0, "pages": 1, "has_next": False, "has_prev": False}}


def test_search_treats_sql_wildcards_literally(sb: Sandbox, admin: httpx.Client) -> None:
    sb.store.create_key("100% uptime", ["domains:read"])
    sb.store.create_key("a_b", ["domains:read"])
    assert [k["name"] for k in admin.get("/api-keys", params={"search": "%"}).json()["api_keys"]] == [
        "100% uptime"]
    assert [k["name"] for k in admin.get("/api-keys", params={"search": "a_"}).json()["api_keys"]] == [
        "a_b"]


def test_pagination(sb: Sandbox, admin: httpx.Client) -> None:
    for i in range(24):
        sb.store.create_key(f"Key {i:02d}", ["domains:read"], created_at=1_700_000_000 + i)
    # 25 keys with the admin key.
    everything = _ids(admin.get("/api-keys", params={"per_page": 100}))
    assert len(everything) == 25
    pages = [admin.get("/api-keys", params={"page": p, "per_page": 10}).json() for p in (1, 2, 3)]
    assert [p["pagination"] for p in pages] == [
        {"page": 1, "per_page": 10, "total": 25, "pages": 3, "has_next": True, "has_prev": False},
        {"page": 2, "per_page": 10, "total": 25, "pages": 3, "has_next": True, "has_prev": True},
        {"page": 3, "per_page": 10, "total": 25, "pages": 3, "has_next": False, "has_prev": True},
    ]
    assert [k["id"] for p in pages for k in p["api_keys"]] == everything
    beyond = admin.get("/api-keys", params={"page": 4, "per_page": 10}).json()
    assert beyond["api_keys"] == [] and beyond["pagination"]["page"] == 4
    assert admin.get("/api-keys").json()["pagination"]["per_page"] == 20
    assert len(admin.get("/api-keys").json()["api_keys"]) == 20


def test_per_page_above_100_is_100(sb: Sandbox, admin: httpx.Client) -> None:
    sb.store.bulk_insert_keys(120)
    response = admin.get("/api-keys", params={"per_page": 500})
    assert response.status_code == 200
    assert len(response.json()["api_keys"]) == 100
    assert response.json()["pagination"] == {"page": 1, "per_page": 100, "total": 121, "pages": 2,
                                             "has_next": True, "has_prev": False}


@pytest.mark.parametrize("path", ["/api-keys", "/api-keys/usage", "/domains"])
@pytest.mark.parametrize(("field", "value"), [("page", "0"), ("page", "-1"), ("page", "abc"),
                                              ("page", "1.5"), ("page", ""), ("per_page", "0"),
                                              ("per_page", "x"), ("per_page", "-5")])
def test_invalid_paging_is_400_naming_the_field(admin: httpx.Client, path: str, field: str,
                                                value: str) -> None:
    response = admin.get(path, params={field: value})
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid request"
    assert f"'{field}'" in response.json()["message"]


class TestUsage:
    def test_days_entries_end_today_oldest_first_zeros_included(self, sb: Sandbox,
                                                                admin: httpx.Client) -> None:
        key_id, _ = sb.store.create_key("Historic", ["domains:read"])
        sb.store.add_usage(key_id, "2025-01-13", 40)
        sb.store.add_usage(key_id, "2025-01-15", 2)
        sb.store.add_usage(key_id, "2025-01-10", 999)  # outside a 5-day window
        response = admin.get(f"/api-keys/{key_id}/usage", params={"days": 5})
        assert response.status_code == 200
        assert response.json() == {"usage": {"api_key_id": key_id, "days": [
            {"date": "2025-01-11", "requests": 0},
            {"date": "2025-01-12", "requests": 0},
            {"date": "2025-01-13", "requests": 40},
            {"date": "2025-01-14", "requests": 0},
            {"date": "2025-01-15", "requests": 2},
        ], "total": 42}}

    def test_default_is_30_days_and_the_range_is_1_to_90(self, sb: Sandbox,
                                                         admin: httpx.Client) -> None:
        key_id, _ = sb.store.create_key("Range", ["domains:read"])
        days = admin.get(f"/api-keys/{key_id}/usage").json()["usage"]["days"]
        assert len(days) == 30 and days[-1]["date"] == TODAY and days[0]["date"] == "2024-12-17"
        assert len(admin.get(f"/api-keys/{key_id}/usage", params={"days": 1}).json()["usage"]["days"]) == 1
        assert len(admin.get(f"/api-keys/{key_id}/usage", params={"days": 90}).json()["usage"]["days"]) == 90
        for bad in ("0", "91", "-3", "abc", "7.5"):
            response = admin.get(f"/api-keys/{key_id}/usage", params={"days": bad})
            assert response.status_code == 400, bad
            assert "'days'" in response.json()["message"]
            assert admin.get("/api-keys/usage", params={"days": bad}).status_code == 400

    def test_batch_usage_follows_the_list_query(self, sb: Sandbox, admin: httpx.Client,
                                                keys: dict[str, int]) -> None:
        sb.store.add_usage(keys["twin1"], TODAY, 7)
        for query in ({}, {"status": "active"}, {"search": "t", "per_page": 2, "page": 2},
                      {"status": "revoked"}):
            listed = admin.get("/api-keys", params=query)
            usage = admin.get("/api-keys/usage", params={**query, "days": 3})
            assert _ids(usage, "usage") == _ids(listed), query
            assert usage.json()["pagination"] == listed.json()["pagination"]
        batch = admin.get("/api-keys/usage", params={"days": 3}).json()["usage"]
        twin1 = next(u for u in batch if u["api_key_id"] == keys["twin1"])
        assert twin1 == admin.get(f"/api-keys/{keys['twin1']}/usage", params={"days": 3}).json()["usage"]
        assert twin1["total"] == 7 and [d["requests"] for d in twin1["days"]] == [0, 0, 7]
        assert all(len(u["days"]) == 3 for u in batch)

    def test_usage_of_a_revoked_key_is_still_readable(self, sb: Sandbox, admin: httpx.Client,
                                                      keys: dict[str, int]) -> None:
        response = admin.get(f"/api-keys/{keys['revoked']}/usage", params={"days": 2})
        assert response.status_code == 200 and response.json()["usage"]["total"] == 0
