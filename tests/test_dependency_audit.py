"""packaging/ci/audit.py fails on a known vulnerability in a resolved runtime dependency.
PyPI's answers are served from loopback (recorded shapes of its JSON API); the resolution
is pip's own, of this project."""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support import serve_http

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "packaging" / "ci" / "audit.py"

ADVISORY = {"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2026-0001"], "details": "bad", "fixed_in": ["9.9.9"],
            "withdrawn": None}
WITHDRAWN = {**ADVISORY, "id": "PYSEC-2026-2", "aliases": [], "withdrawn": "2026-01-02T00:00:00Z"}


def fake_pypi(documents: dict[str, Any]) -> type[http.server.BaseHTTPRequestHandler]:
    """PyPI's JSON API for the paths given (after the base URL); 404 for every other one,
    except that any per-release document not given is one without vulnerabilities when
    documents has the key "*"."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = urlsplit(self.path).path.removeprefix("/api/v1")
            document = documents.get(path)
            if document is None and "*" in documents and re.fullmatch(r"/[^/]+/[^/]+/json", path):
                document = {"info": {}, "vulnerabilities": []}
            body = json.dumps(document).encode() if document is not None else b"Not Found"
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def audit_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # Its dataclass looks its module up in sys.modules while the module is being run.
    spec = importlib.util.spec_from_file_location("audit_under_test", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def run_audit(module: ModuleType, documents: dict[str, Any], name: str, version: str) -> Any:
    with serve_http(fake_pypi(documents)) as base:
        module.PYPI = base
        return module.audit(name, version)


def test_a_vulnerable_release_is_a_finding(audit_module: ModuleType) -> None:
    finding = run_audit(audit_module, {"/httpx/0.27.0/json": {"vulnerabilities": [ADVISORY, WITHDRAWN]}},
                        "httpx", "0.27.0")
    assert finding.verdict == "vulnerable"
    assert finding.detail == "GHSA-aaaa-bbbb-cccc, CVE-2026-0001 (fixed in 9.9.9)"  # not the withdrawn one


def test_a_withdrawn_advisory_is_no_finding(audit_module: ModuleType) -> None:
    finding = run_audit(audit_module, {"/httpx/0.27.0/json": {"vulnerabilities": [WITHDRAWN]}}, "httpx", "0.27.0")
    assert (finding.verdict, finding.detail) == ("ok", "no known vulnerability (this release)")


def test_without_per_release_data_the_latest_release_is_audited_from_the_project(audit_module: ModuleType) -> None:
    project = {"info": {"version": "0.27.0"}, "vulnerabilities": [ADVISORY]}
    finding = run_audit(audit_module, {"/httpx/json": project}, "httpx", "0.27.0")
    assert finding.verdict == "vulnerable"
    clean = run_audit(audit_module, {"/httpx/json": {**project, "vulnerabilities": []}}, "httpx", "0.27.0")
    assert (clean.verdict, clean.detail) == ("ok", "no known vulnerability (the latest release)")


def test_an_older_release_that_cannot_be_audited_fails_unless_held_back_with_a_reason(
        audit_module: ModuleType) -> None:
    project = {"info": {"version": "1.0.0"}, "vulnerabilities": []}
    finding = run_audit(audit_module, {"/httpx/json": project}, "httpx", "0.27.0")
    assert finding.verdict == "unaudited" and "not the latest release (1.0.0)" in finding.detail
    held = run_audit(audit_module, {"/PySide6_Essentials/json": project}, "PySide6_Essentials", "6.11.3")
    assert held.verdict == "held back" and "6.12" in held.detail


@pytest.mark.slow  # two pip resolutions of the project
def test_the_audit_of_this_project_fails_on_a_vulnerable_dependency() -> None:
    """End to end: pip resolves the project's runtime dependencies, the script asks the
    (loopback) PyPI about each, and exits 1 naming the vulnerable one."""
    resolved = subprocess.run([sys.executable, "-c", "import httpx; print(httpx.__version__)"],
                              capture_output=True, text=True, check=True).stdout.strip()
    documents: dict[str, Any] = {"*": True, f"/httpx/{resolved}/json": {"vulnerabilities": [ADVISORY]}}
    with serve_http(fake_pypi(documents)) as base:
        failing = subprocess.run([sys.executable, str(SCRIPT)], env=dict(os.environ, MYSSL_AUDIT_PYPI=base),
                                 capture_output=True, text=True, timeout=300)
        del documents[f"/httpx/{resolved}/json"]
        passing = subprocess.run([sys.executable, str(SCRIPT)], env=dict(os.environ, MYSSL_AUDIT_PYPI=base),
                                 capture_output=True, text=True, timeout=300)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert f"VULN httpx {resolved}: GHSA-aaaa-bbbb-cccc, CVE-2026-0001 (fixed in 9.9.9)" in failing.stdout
    assert re.search(r"audit: \d+ runtime dependencies, 1 failed \(1 vulnerable", failing.stdout)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "ok   keyring " in passing.stdout and "ok   PySide6_Essentials " in passing.stdout
