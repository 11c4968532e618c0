"""The contract checked by a checker no one here wrote: Schemathesis runs over
myssl_desktop/api/openapi.json against the sandbox on loopback (every check, the examples,
coverage, fuzzing and stateful phases, a bounded number of examples per operation and a
fixed seed), and must find nothing. Its stateful phase would revoke the admin key it signs
in with; tests/contract/schemathesis_hooks.py steers those calls to a decoy key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "myssl_desktop" / "api" / "openapi.json"
HERE = Path(__file__).resolve().parent
MAX_EXAMPLES = 100
SEED = 20261204

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(tier="enterprise") as sb:
        yield sb


def run_schemathesis(sandbox: Sandbox, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    with httpx.Client(base_url=sandbox.base_url, headers={"Authorization": f"Bearer {sandbox.admin_key}"}) as admin:
        admin_id = admin.get("/api-keys/current").json()["api_key"]["id"]
        decoy = admin.post("/api-keys", json={"name": "Schemathesis decoy"})
        assert decoy.status_code == 201, decoy.text
    env = dict(os.environ, PYTHONPATH=str(ROOT), SCHEMATHESIS_HOOKS="tests.contract.schemathesis_hooks",
               MYSSL_ADMIN_KEY_ID=str(admin_id), MYSSL_DECOY_KEY_ID=str(decoy.json()["api_key"]["id"]),
               NO_COLOR="1", COLUMNS="120")
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"),
               "run", str(DOCUMENT), "--url", sandbox.base_url,
               "--header", f"Authorization: Bearer {sandbox.admin_key}",
               "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
               "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--workers", "1",
               "--generation-database", "none", "--no-color", "--output-sanitize", "true"]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=840)


def test_schemathesis_finds_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    result = run_schemathesis(sandbox, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-12000:]
    assert re.search(r"Selected: 12/12", output), output[-3000:]
    assert re.search(r"Stateful", output) and "❌" not in output, output[-3000:]
    # The admin key survived the stateful phase (the hook kept it from its own revoke).
    with httpx.Client(base_url=sandbox.base_url, headers={"Authorization": f"Bearer {sandbox.admin_key}"}) as admin:
        current = admin.get("/api-keys/current")
        assert current.status_code == 200, f"the admin key no longer works: {current.text}"
        assert current.json()["api_key"]["status"] == "active"
