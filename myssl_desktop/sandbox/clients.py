"""Who made a request: the TCP peer address and the `User-Agent` header (contract v1.1).

The pipeline records the real ones of every authenticated request. The demo seed and the
traffic simulator attribute their synthetic requests to one or two made-up clients per key
(documentation addresses, common user agents), the same ones for a key every time, so that
"who still uses this key" has something to show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# The documentation ranges of RFC 5737: never anyone's real address.
_NETWORKS = ("203.0.113", "198.51.100")
_USER_AGENTS = ("curl/8.5.0", "python-requests/2.32.3", "Go-http-client/2.0", "python-httpx/0.28.1",
                "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "okhttp/4.12.0")


@dataclass(frozen=True)
class Client:
    address: str
    user_agent: str  # "" when the request carried none


def made_up_clients(key_id: int) -> tuple[Client, ...]:
    """One or two clients for this key, always the same ones for the same id."""
    rng = random.Random(f"sandbox clients of key {key_id}")
    count = rng.choice((1, 2))
    return tuple(Client(f"{rng.choice(_NETWORKS)}.{rng.randint(2, 254)}", rng.choice(_USER_AGENTS))
                 for _ in range(count))


def shares(total: int, clients: tuple[Client, ...]) -> list[tuple[Client, int]]:
    """`total` requests split among `clients` (the first gets the most); none gets zero."""
    if not clients or total <= 0:
        return []
    if len(clients) == 1 or total == 1:
        return [(clients[0], total)]
    first = max(1, round(total * 0.7))
    rest = total - first
    return [(clients[0], first)] + ([(clients[1], rest)] if rest else [])
