"""List 10,000 keys from the sandbox: requests made, wall time, TCP connections opened.

The baseline, measured in the same run, is the same pages fetched with a bare
`httpx.Client` and `json.loads` (no parsing into models, no retries): the ratio shows what
our client adds. Goal: 1 connection, reused.

    .venv/bin/python benchmarks/list_keys.py
"""

from __future__ import annotations

import json
import statistics
import time

import httpx

from myssl_desktop.api import ConnectionPool, MysslClient
from myssl_desktop.sandbox import Sandbox

KEYS = 10_000
ROUNDS = 3


def bare_listing(sb: Sandbox) -> int:
    count = 0
    with httpx.Client(headers={"Authorization": f"Bearer {sb.admin_key}"}) as http:
        page = 1
        while True:
            body = json.loads(http.get(f"{sb.base_url}/api-keys",
                                       params={"page": page, "per_page": 100}).content)
            count += len(body["api_keys"])
            if not body["pagination"]["has_next"]:
                return count
            page += 1


def main() -> None:
    with Sandbox(tier="enterprise") as sb:
        sb.store.bulk_insert_keys(KEYS - 1, name_prefix="Bulk key")
        ours, bare = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            bare_count = bare_listing(sb)
            bare.append(time.perf_counter() - started)

            pool = ConnectionPool()
            client = MysslClient(sb.base_url, sb.admin_key, pool=pool)
            connections, requests = sb.connections_opened, sb.requests_served
            started = time.perf_counter()
            keys = client.all_keys()
            ours.append(time.perf_counter() - started)
            made, opened = sb.requests_served - requests, sb.connections_opened - connections
            pool.close()
        assert len(keys) == bare_count == KEYS
        ours_ms, bare_ms = statistics.median(ours) * 1000, statistics.median(bare) * 1000
        print(f"keys listed:          {len(keys):,}")
        print(f"requests made:        {made}")
        print(f"TCP connections:      {opened} (goal: 1)")
        print(f"wall time (median):   {ours_ms:.0f} ms")
        print(f"bare httpx baseline:  {bare_ms:.0f} ms")
        print(f"ratio to baseline:    {ours_ms / bare_ms:.2f}x")


if __name__ == "__main__":
    main()
