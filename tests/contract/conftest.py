"""Sandboxes in the states the contract scenarios need."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract.sandbox_scenarios import World, sandbox_class


@pytest.fixture
def world() -> Iterator[World]:
    """A fresh enterprise sandbox seeded with the demo data."""
    with sandbox_class()(tier="enterprise", seed="demo") as sandbox:
        w = World(sandbox)
        try:
            yield w
        finally:
            w.close()


@pytest.fixture
def full_world(world: World) -> World:
    """An enterprise sandbox whose account holds `max_active_keys` active keys."""
    world.notes["escalator"] = world.key_with("domains:read", "keys:manage")
    made = 0
    while made < 30:
        response = world.request("POST", "/api-keys",
                                 json={"name": f"filler {made}", "permissions": ["domains:read"]})
        if response.status_code == 409:
            break
        assert response.status_code == 201, response.text
        made += 1
    listing = world.request("GET", "/api-keys", params={"per_page": 100}).json()
    active = [k for k in listing["api_keys"] if k["status"] in ("active", "expiring")]
    limit = world.request("GET", "/api-keys/current").json()["account"]["max_active_keys"]
    assert limit == 25
    assert len(active) == limit
    return world


@pytest.fixture
def limited_world() -> Iterator[World]:
    """A free-tier sandbox whose admin key has used its 10 requests of this minute."""
    with sandbox_class()(tier="free", seed="demo") as sandbox:
        w = World(sandbox)
        try:
            w.victim()  # one request with the admin key
            w.notes["observer"] = w.key_with("keys:read")  # a second admin request
            answered = 2
            while answered < 12:
                response = w.request("GET", "/api-keys/current")
                if response.status_code == 429:
                    break
                assert response.status_code == 200, response.text
                answered += 1
            assert answered == 10, f"the free tier allowed {answered} requests in a minute"
            yield w
        finally:
            w.close()
