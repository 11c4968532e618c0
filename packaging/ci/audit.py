"""Dependency audit: fail when a resolved runtime dependency has a known vulnerability.

    python packaging/ci/audit.py            (run by .ci/run; exit 1 on a finding)

1. Resolve the project's runtime dependencies as pip would install them here
   (`pip install --dry-run --report`, no extras), plus pywin32-ctypes, which only the
   Windows bundle resolves (keyring needs it there).
2. Ask PyPI about each resolved release. Its JSON API lists the known vulnerabilities
   (from the OSV database: PyPA's advisories, GitHub's, PYSEC) of a release as
   `vulnerabilities`: the per-release document (/pypi/NAME/VERSION/json) where it can be
   reached, else the project document (/pypi/NAME/json), whose list is its latest
   release's, so it answers for a resolved release that is the latest.
3. Exit 1 when any release has a vulnerability that is not withdrawn, and when a release
   could not be audited at all (not the latest, no per-release document) unless it is in
   HELD_BACK with the reason it is not the latest.

PyPI is reached through this machine's settings: PIP_CERT or SSL_CERT_FILE name the CA
bundle to trust where they are set. MYSSL_AUDIT_PYPI overrides the base URL (the tests
serve recorded answers on loopback).
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYPI = os.environ.get("MYSSL_AUDIT_PYPI", "https://pypi.org/pypi")
# Releases that are not the latest on purpose; without per-release data they cannot be
# audited here, and each needs its reason (the audit fails on any other such release).
HELD_BACK = {
    "pyside6-essentials": "pinned below 6.12: 6.12.0 aborts Python 3.11 (README, tests/test_pyside_refcount.py)",
    "shiboken6": "PySide6's own binding runtime, same version as PySide6-Essentials",
}
# Runtime dependencies that a Linux resolution leaves out by their markers.
OTHER_PLATFORMS = ["pywin32-ctypes"]


@dataclass(frozen=True)
class Finding:
    name: str
    version: str
    verdict: str  # "ok", "vulnerable", "unaudited", "held back"
    detail: str


def normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def resolve(python: str) -> list[tuple[str, str]]:
    """(name, version) of every release pip would install for the project, itself left out."""
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "report.json"
        command = [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                   "--disable-pip-version-check", "--report", str(report), str(ROOT), *OTHER_PLATFORMS]
        result = subprocess.run(command, capture_output=True, text=True, cwd=work)
        if result.returncode != 0:
            raise SystemExit(f"audit: pip could not resolve the dependencies:\n{result.stderr[-4000:]}")
        installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    releases = [(item["metadata"]["name"], item["metadata"]["version"]) for item in installs]
    return sorted(((name, version) for name, version in releases if normalise(name) != "myssl-desktop"),
                  key=lambda release: normalise(release[0]))


def _tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE") or None)


def fetch(url: str) -> dict[str, Any] | None:
    """The JSON document at url, or None when PyPI has none (404)."""
    try:
        with urllib.request.urlopen(url, timeout=60, context=_tls()) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def _describe(vulnerability: dict[str, Any]) -> str:
    names = ", ".join([vulnerability.get("id", "?"), *vulnerability.get("aliases", [])])
    fixed = ", ".join(vulnerability.get("fixed_in") or []) or "no fixed release yet"
    return f"{names} (fixed in {fixed})"


def audit(name: str, version: str) -> Finding:
    release = fetch(f"{PYPI}/{name}/{version}/json")
    source = "this release"
    if release is None:
        project = fetch(f"{PYPI}/{name}/json")
        if project is None:
            return Finding(name, version, "unaudited", "PyPI does not know it")
        latest = project["info"]["version"]
        if latest != version:
            reason = HELD_BACK.get(normalise(name))
            if reason:
                return Finding(name, version, "held back", f"latest is {latest}; {reason}")
            return Finding(name, version, "unaudited",
                           f"not the latest release ({latest}) and PyPI's per-release data cannot be reached "
                           "here: update it, or name it in HELD_BACK with the reason")
        release, source = project, "the latest release"
    known = [v for v in release.get("vulnerabilities") or [] if not v.get("withdrawn")]
    if known:
        return Finding(name, version, "vulnerable", "; ".join(_describe(v) for v in known))
    return Finding(name, version, "ok", f"no known vulnerability ({source})")


def main(argv: list[str]) -> int:
    python = argv[1] if len(argv) > 1 else sys.executable
    findings = [audit(name, version) for name, version in resolve(python)]
    marks = {"ok": "ok  ", "held back": "held", "vulnerable": "VULN", "unaudited": "????"}
    for finding in findings:
        print(f"{marks[finding.verdict]} {finding.name} {finding.version}: {finding.detail}")
    failed = [f for f in findings if f.verdict in {"vulnerable", "unaudited"}]
    print(f"audit: {len(findings)} runtime dependencies, {len(failed)} failed "
          f"({sum(f.verdict == 'vulnerable' for f in findings)} vulnerable, "
          f"{sum(f.verdict == 'unaudited' for f in findings)} not auditable)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
