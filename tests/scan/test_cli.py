"""`myssl-keys scan` and `myssl-keys hook`: output, exit codes, and never a secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from myssl_desktop.api.client import MysslClient
from myssl_desktop.api.secret import Secret
from myssl_desktop.cli import build_parser
from myssl_desktop.keychain import DemoKeyring, Keychain
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import Profile
from myssl_desktop.scan.store import FoundStore
from myssl_desktop.services import Services
from tests.scan.conftest import Git
from tests.scan.files import write
from tests.support import files_containing, random_secret


def myssl_keys(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "myssl_desktop.cli", *args], capture_output=True, text=True,
                          env=dict(os.environ), cwd=cwd, timeout=120)


def _assert_never_shown(secrets: list[str], *outputs: str, app_dirs: AppDirs | None = None) -> None:
    for secret in secrets:
        assert not [output for output in outputs if secret in output], f"{secret[:12]}… was printed"
        if app_dirs is not None:  # nor written to the log or anywhere else under the app's folders
            assert files_containing(app_dirs.config.parent.parent, secret) == []


def test_without_a_profile_hits_are_listed_by_prefix(tmp_path: Path, app_dirs: AppDirs, git: Git) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    tree_key, old_key = random_secret(), random_secret()
    write(repo / ".env", f"MYSSL_API_KEY={tree_key}\n")
    write(repo / "app.py", f"KEY = '{old_key}'\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "-q", "-m", "oops")
    write(repo / "app.py", "import os\n")
    git(repo, "commit", "-q", "-am", "fix")
    commit = git(repo, "rev-parse", "HEAD~1")

    text = myssl_keys("scan", str(repo), "--history")
    as_json = myssl_keys("scan", str(repo), "--history", "--json")

    assert text.returncode == 10 and as_json.returncode == 10, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["PREFIX", "WHERE", "COMMIT"]  # no KEY column: no profile to name keys
    assert f"{tree_key[:12]}…  {repo / '.env'}:1" in text.stdout
    assert any(line.startswith(f"{old_key[:12]}…") and f"{repo / 'app.py'}:1" in line
               and f"{commit[:12]} not pushed" in line for line in lines)
    assert lines[-1].startswith("Found 2 secrets in 2 files")
    report = json.loads(as_json.stdout)
    assert report["keys_named"] is False
    assert [(h["prefix"], h["path"], h["line"], h["commit"], h["pushed"]) for h in report["hits"]] == [
        (tree_key[:12], str(repo / ".env"), 1, None, None),
        (old_key[:12], str(repo / "app.py"), 1, commit, False),
    ]
    assert report["scanned"]["repositories"] == [str(repo)]
    _assert_never_shown([tree_key, old_key], text.stdout, text.stderr, as_json.stdout, as_json.stderr,
                        app_dirs=app_dirs)


def test_nothing_found_exits_0_and_errors_exit_1(tmp_path: Path, app_dirs: AppDirs) -> None:
    write(tmp_path / "src" / "clean.txt", "myssl_k_… is how a key starts\n")
    clean = myssl_keys("scan", str(tmp_path / "src"))
    assert clean.returncode == 0 and clean.stdout.startswith("No secret found in 1 file (")
    missing = myssl_keys("scan", str(tmp_path / "gone"))
    assert missing.returncode == 1 and "gone does not exist" in missing.stderr


def test_help_documents_the_exit_codes() -> None:
    shown = myssl_keys("scan", "--help")
    assert shown.returncode == 0
    assert "0   no secret found" in shown.stdout and "10  at least one secret found" in shown.stdout
    assert "1   error" in shown.stdout


@pytest.fixture
def signed_in(app_dirs: AppDirs, sandbox) -> tuple[Services, MysslClient]:  # type: ignore[no-untyped-def]
    """A profile signed in to the sandbox, its key in an in-memory keychain."""
    services = Services.build(app_dirs, Keychain(DemoKeyring()))
    services.signin.sign_in(Profile.new("work", sandbox.base_url), Secret(sandbox.admin_key))
    return services, MysslClient(sandbox.base_url, sandbox.admin_key)


def _run(services: Services, *args: str) -> int:
    parsed = build_parser().parse_args(list(args))
    return int(parsed.run(services, parsed))


def test_with_a_signed_in_profile_hits_name_their_keys(signed_in, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    services, api = signed_in
    ci = api.create_key("CI pipeline", ["domains:read"])
    old = api.create_key("Old laptop", ["domains:read"])
    api.revoke_key(old.api_key.id)
    stranger = random_secret()
    secrets = [ci.secret.reveal(), old.secret.reveal(), stranger]
    write(tmp_path / "ci.yml", f"env:\n  MYSSL_API_KEY: {secrets[0]}\n")
    write(tmp_path / "notes.txt", f"{secrets[1]}\n{secrets[2]}\n")

    assert _run(services, "scan", str(tmp_path)) == 10
    text = capsys.readouterr()
    assert _run(services, "scan", str(tmp_path), "--json") == 10
    as_json = capsys.readouterr()

    lines = text.out.splitlines()
    assert lines[0].split() == ["PREFIX", "KEY", "WHERE"]  # no COMMIT column: no history hits
    rows = {line.split("…")[0]: line for line in lines[1:4]}
    assert f"CI pipeline (id {ci.api_key.id})" in rows[ci.api_key.prefix]
    assert f"Old laptop (id {old.api_key.id}, revoked)" in rows[old.api_key.prefix]
    assert "not a key of this account" in rows[stranger[:12]]
    named = {hit["prefix"]: hit["keys"] for hit in json.loads(as_json.out)["hits"]}
    assert named == {ci.api_key.prefix: [{"id": ci.api_key.id, "name": "CI pipeline", "status": "active"}],
                     old.api_key.prefix: [{"id": old.api_key.id, "name": "Old laptop", "status": "revoked"}],
                     stranger[:12]: []}
    _assert_never_shown(secrets, text.out, text.err, as_json.out, as_json.err)


def test_a_signed_out_profile_still_lists_hits_by_prefix(signed_in, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    services, _ = signed_in
    services.signin.sign_out(services.profiles.load().last)
    key = random_secret()
    write(tmp_path / "a.env", key)
    assert _run(services, "scan", str(tmp_path), "--json") == 10
    shown = capsys.readouterr()
    assert json.loads(shown.out)["keys_named"] is False and "keys not named" in shown.err


def test_with_profile_named_the_hits_are_recorded_for_the_app(signed_in, tmp_path: Path, app_dirs: AppDirs,  # type: ignore[no-untyped-def]
                                                              git: Git, capsys: pytest.CaptureFixture[str]) -> None:
    services, api = signed_in
    key = api.create_key("Deploy", ["domains:read"]).secret.reveal()
    repo = tmp_path / "src" / "app"
    git(tmp_path, "init", "-q", str(repo))
    write(repo / "deploy.sh", f"KEY={key}\n")
    git(repo, "add", "deploy.sh")
    git(repo, "commit", "-q", "-m", "oops")
    profile = services.profiles.load().find("work")
    store = FoundStore(app_dirs.data)

    assert _run(services, "scan", str(tmp_path / "src"), "--history") == 10  # the last profile names keys,
    assert store.load(profile.id).hits == ()  # but only a profile asked for is recorded for
    capsys.readouterr()
    assert _run(services, "scan", str(tmp_path / "src"), "--history", "--profile", "work") == 10
    shown = capsys.readouterr()

    findings = store.load(profile.id)
    assert {(h.prefix, h.path, h.in_history) for h in findings.hits} == {
        (key[:12], repo / "deploy.sh", False), (key[:12], repo / "deploy.sh", True)}
    assert findings.exposed() == {key[:12]} and [f.path for f in findings.folders] == [tmp_path / "src"]
    assert "Recorded for profile “work”" in shown.out
    assert _run(services, "scan", str(tmp_path / "src"), "--json", "--profile", "work") == 10
    as_json = capsys.readouterr()
    assert json.loads(as_json.out)["recorded_for"] == "work"
    assert store.load(profile.id).exposed() == {key[:12]}  # without --history, the history's hits stay
    _assert_never_shown([key], shown.out, shown.err, as_json.out, app_dirs=app_dirs)


def test_hook_install_and_remove(tmp_path: Path, git: Git, app_dirs: AppDirs) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    installed = myssl_keys("hook", "install", cwd=repo)
    assert installed.returncode == 0 and "Installed the pre-commit hook" in installed.stdout
    assert "already installed" in myssl_keys("hook", "install", "--repo", str(repo)).stdout
    removed = myssl_keys("hook", "remove", cwd=repo)
    assert removed.returncode == 0 and not (repo / ".git" / "hooks" / "pre-commit").exists()
    outside = myssl_keys("hook", "install", cwd=tmp_path)
    assert outside.returncode == 1 and "not in a git repository" in outside.stderr


def test_an_unknown_profile_fails_before_scanning(tmp_path: Path, app_dirs: AppDirs) -> None:
    write(tmp_path / "src" / "a.txt", "nothing\n")
    shown = myssl_keys("scan", str(tmp_path / "src"), "--profile", "nobody")
    assert shown.returncode == 1 and "No profile named “nobody”" in shown.stderr and shown.stdout == ""
