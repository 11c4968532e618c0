"""python -m myssl_desktop.sandbox: one JSON line on stdout, a clean exit on a signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .helpers import bearer

REPO = Path(__file__).resolve().parents[2]


def _start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "myssl_desktop.sandbox", *args], cwd=REPO,
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _stop(process: subprocess.Popen[str], signum: int) -> tuple[int, str, str]:
    process.send_signal(signum)
    try:
        out, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, out, err


@pytest.mark.posix  # SIGINT/SIGTERM with a clean exit
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_prints_one_json_line_serves_and_exits_0(signum: int, tmp_path: Path) -> None:
    process = _start("--port", "0", "--seed", "demo", "--tier", "business", "--traffic",
                     "--data", str(tmp_path / "data"))
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        info = json.loads(line)
        assert set(info) == {"base_url", "admin_key"}
        assert info["base_url"].startswith("http://127.0.0.1:") and info["base_url"].endswith("/api/v1")
        auth = bearer(info["admin_key"])
        billing = httpx.get(info["base_url"] + "/billing/usage", headers=auth, timeout=5)
        assert billing.json()["data"]["tier"] == "business"
        keys = httpx.get(info["base_url"] + "/api-keys", headers=auth, timeout=5).json()
        assert keys["pagination"]["total"] > 10
    finally:
        code, rest, err = _stop(process, signum)
    assert code == 0, err
    assert rest == ""  # exactly one line on stdout
    assert info["admin_key"] not in err
    assert (tmp_path / "data" / "sandbox.sqlite3").is_file()


def test_faults_and_latency_from_the_command_line() -> None:
    process = _start("--fail-rate", "1", "--latency-ms", "1", "--fault-seed", "3")
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        statuses = set()
        for _ in range(20):
            try:
                statuses.add(httpx.get(info["base_url"] + "/domains",
                                       headers=bearer(info["admin_key"]), timeout=5).status_code)
            except httpx.TransportError:
                statuses.add("reset")
        assert statuses and statuses <= {500, 502, 503, 200, "reset"}
        assert statuses & {500, 502, 503}
    finally:
        code, _, _ = _stop(process, signal.SIGTERM)
    assert code == 0


def test_bad_arguments_exit_2_without_stdout() -> None:
    result = subprocess.run([sys.executable, "-m", "myssl_desktop.sandbox", "--fail-rate", "2"],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
