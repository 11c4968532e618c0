"""Command targets run for real: each preset's program (a recording stand-in where this machine
has no such tool) gets the new key on its standard input or in its one environment variable, and
never in its argv; real secret-tool, pass and systemd-creds where the machine has them."""

from __future__ import annotations

import base64
import os
import shutil
import stat
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from myssl_desktop.api import Secret
from myssl_desktop.rotation import CommandTarget, Delivery, Holds
from myssl_desktop.rotation.commands import CommandFailed, deliver, preflight, version
from myssl_desktop.rotation.presets import PRESETS, parse
from myssl_desktop.rotation.targets import from_spec, to_spec
from tests.support import random_secret

# Each preset as a user would give it on the command line, and what its program must have read.
PRESET_SPECS = {
    "github": "github:repo=acme/app,env=production",
    "vault": "vault:path=myapp/config,field=MYSSL_API_KEY",
    "docker": "docker:name=myssl_api_key",
    "kubernetes": "kubernetes:name=app-secrets,namespace=prod",
    "systemd": "systemd:name=myssl,out={tmp}/myssl.cred",
    "fly": "fly:app=my-app",
    "vercel": "vercel:env=production",
    "ssh": "ssh:host=deploy@app.example.com,path={tmp}/srv/api-key",
}


def stored(standins, preset: str, tmp_path: Path) -> str:
    """What the preset's place holds now, read back from where its program put it."""
    if preset == "github":
        return standins.state("gh")["acme/app/production/:MYSSL_API_KEY"]
    if preset == "vault":
        return standins.state("vault")["secret/myapp/config"]["MYSSL_API_KEY"]
    if preset == "docker":
        [(name, value)] = standins.state("docker").items()
        return value
    if preset == "kubernetes":
        return standins.state("kubectl")["prod/app-secrets"]["MYSSL_API_KEY"]
    if preset == "systemd":
        return subprocess.run(["systemd-creds", "decrypt", "--name=myssl", str(tmp_path / "myssl.cred"), "-"],
                              capture_output=True, text=True, check=True).stdout
    if preset == "fly":
        return standins.state("fly")["my-app:MYSSL_API_KEY"]
    if preset == "vercel":
        return standins.state("vercel")["production:MYSSL_API_KEY"]
    return (tmp_path / "srv" / "api-key").read_text()


def systemd_creds_works() -> bool:
    if shutil.which("systemd-creds") is None:
        return False
    probe = subprocess.run(["systemd-creds", "encrypt", "--name=probe", "-", "-"], input=b"x", capture_output=True)
    return probe.returncode == 0


@pytest.mark.parametrize("preset", list(PRESET_SPECS))
def test_each_preset_gets_the_key_on_stdin_and_never_in_argv(preset: str, standins, tmp_path: Path) -> None:
    if preset == "systemd" and not systemd_creds_works():
        pytest.skip("systemd-creds cannot encrypt on this machine")
    (tmp_path / "srv").mkdir()
    target = parse(PRESET_SPECS[preset].format(tmp=tmp_path))
    assert preflight(target).holds is Holds.READY, preflight(target)
    secret = Secret(random_secret())
    runs = deliver(target, secret, index=3)
    assert [r.step for r in runs if r.step != "exists"] == ["update", *(["verify"] if target.verify else [])]
    assert all(r.ok and r.index == 3 for r in runs)
    assert stored(standins, preset, tmp_path) == secret.reveal()  # exactly the key: no newline added
    calls = standins.calls()
    if preset != "systemd":
        assert calls, "the stand-in was not run"
    for call in calls:
        assert secret.reveal() not in " ".join(call.argv), call.words  # never where `ps` shows it
        assert secret.reveal() not in "".join(call.env.values()), call.words  # nor in its environment
    update = [c for c in calls if c.stdin and secret.reveal() in c.stdin]
    if preset == "fly":
        assert [c.stdin for c in update] == [f"MYSSL_API_KEY={secret.reveal()}\n"]  # one NAME=VALUE line
    elif preset != "systemd":
        assert [c.stdin for c in update] == [secret.reveal()]  # the raw key, the only program that read it
    for ran in runs:
        assert secret.reveal() not in ran.output + ran.command


def test_kubernetes_runs_two_programs_piped_by_the_app(standins) -> None:
    secret = Secret(random_secret())
    standins.steer("echo", "1")  # `kubectl apply` prints the manifest it read: the key, base64-encoded
    runs = deliver(parse("kubernetes:name=app-secrets"), secret)
    encoded = base64.b64encode(secret.reveal().encode()).decode().rstrip("=")
    assert "(the key, base64-encoded)" in runs[0].output
    assert all(encoded not in r.output and secret.reveal() not in r.output for r in runs)
    create, apply, get = standins.calls("kubectl")
    assert create.argv[:4] == ["create", "secret", "generic", "app-secrets"]
    assert "--from-file=MYSSL_API_KEY=/dev/stdin" in create.argv and create.stdin == secret.reveal()
    assert apply.argv == ["apply", "--filename=-"]  # reads the manifest the first one wrote, not the key
    assert base64.b64encode(secret.reveal().encode()).decode() in apply.stdin and secret.reveal() not in apply.stdin
    assert get.argv == ["get", "secret", "app-secrets"]


def test_the_real_kubectl_writes_the_manifest_from_stdin(tmp_path: Path) -> None:
    """The first half of the Kubernetes preset with the real kubectl (it needs no cluster)."""
    if shutil.which("kubectl") is None:
        pytest.skip("no kubectl on this machine")
    target = parse("kubernetes:name=app-secrets")
    secret = random_secret()
    made = subprocess.run(target.argv, input=secret.encode(), capture_output=True, timeout=60,
                          env={**os.environ, "KUBECONFIG": str(tmp_path / "none")})
    assert made.returncode == 0, made.stderr
    assert f"MYSSL_API_KEY: {base64.b64encode(secret.encode()).decode()}" in made.stdout.decode()


def test_a_docker_secret_is_versioned_and_made_once(standins) -> None:
    secret = Secret(random_secret())
    target = parse("docker:name=app_key")
    first = deliver(target, secret)
    again = deliver(target, secret)  # a resumed rotation runs the target again
    name = f"app_key_{version(secret.prefix)}"
    assert list(standins.state("docker")) == [name] and name == f"app_key_{secret.reveal()[8:12]}"
    assert [r.step for r in first] == ["exists", "update", "verify"]
    assert [r.step for r in again] == ["exists", "verify"] and again[0].code == 0  # found: not made twice
    assert len([c for c in standins.calls("docker") if c.argv[:2] == ["secret", "create"]]) == 1
    assert "cannot be changed" in target.warning


def test_a_generic_command_gets_the_key_in_one_environment_variable_only(standins) -> None:
    secret = Secret(random_secret())
    target = CommandTarget(("recorder", "--to", "somewhere"), Delivery.ENV, "APP_KEY")
    deliver(target, secret)
    [call] = standins.calls("recorder")
    assert call.env["APP_KEY"] == secret.reveal() and call.stdin == ""
    assert [k for k, v in call.env.items() if secret.reveal() in v] == ["APP_KEY"]
    assert secret.reveal() not in " ".join(call.argv)
    assert secret.reveal() not in os.environ.get("APP_KEY", "")  # only the child had it


def test_an_env_line_generic_command(standins) -> None:
    secret = Secret(random_secret())
    deliver(CommandTarget(("recorder",), Delivery.ENV_LINE, "API_TOKEN"), secret)
    assert standins.calls("recorder")[0].stdin == f"API_TOKEN={secret.reveal()}\n"


def test_a_command_line_holding_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="never the secret"):
        CommandTarget(("gh", "secret", "set", "X", "--body", random_secret()))


def test_command_targets_survive_the_journal(tmp_path: Path) -> None:
    target = parse("kubernetes:name=app,namespace=prod", restart=("kubectl", "rollout", "restart", "deploy/app"))
    assert from_spec(to_spec(target)) == target
    import json

    assert from_spec(json.loads(json.dumps(to_spec(target)))) == target  # lists come back as tuples


# --- failures: named, timed out, redacted --------------------------------------------------------


def test_a_failing_program_is_reported_with_its_output_redacted(standins) -> None:
    secret = Secret(random_secret())
    standins.steer("echo", "1")  # a chatty tool that prints what it read
    standins.steer("fail", "gh secret set")
    with pytest.raises(CommandFailed) as failed:
        deliver(parse("github:repo=acme/app"), secret)
    [ran] = failed.value.runs
    assert ran.code == 1 and "simulated failure" in ran.output and "exit 1" in str(failed.value)
    assert secret.prefix + "…" in ran.output  # shown by its prefix only
    assert secret.reveal() not in ran.output and secret.reveal() not in str(failed.value)


def test_a_program_that_hangs_is_stopped_at_its_timeout(standins) -> None:
    standins.steer("hang", "vault kv patch")
    target = replace(parse("vault:path=app"), timeout_s=1)
    with pytest.raises(CommandFailed, match="did not finish within 1 s"):
        deliver(target, Secret(random_secret()))
    pid = int((standins.log / "hung.pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed, not left behind


def test_a_verify_that_does_not_show_the_key_fails(standins) -> None:
    target = CommandTarget(("recorder",), verify=("vault", "kv", "get", "-mount=secret", "-field=X", "app"),
                           expect="{prefix}")
    with pytest.raises(CommandFailed, match="No value found|does not show"):
        deliver(target, Secret(random_secret()))


def test_preflight_names_what_is_missing(standins, tmp_path: Path) -> None:
    missing = preflight(CommandTarget(("no-such-tool-here", "x")))
    assert missing.holds is Holds.UNREADABLE and "“no-such-tool-here” is not installed" in missing.problem
    standins.steer("fail", "gh auth status")
    failing = preflight(parse("github:repo=acme/app"))
    assert failing.holds is Holds.UNREADABLE and "“gh auth status” failed" in failing.problem
    assert "simulated failure" in failing.problem
    standins.steer("fail")
    ok = preflight(parse("github:repo=acme/app"))
    assert ok.holds is Holds.READY and "gh auth status" in ok.note(parse("github:repo=acme/app"))
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() != 0:  # root writes anywhere
        assert not preflight(parse(f"systemd:out={locked}/x.cred")).usable
    assert not preflight(parse(f"systemd:out={tmp_path}/no-folder/x.cred")).usable
    assert "replaces the whole file" in preflight(parse(f"ssh:host=h,path={tmp_path}/k")).problem


def test_preset_values_are_checked() -> None:
    with pytest.raises(ValueError, match="needs path"):
        parse("vault:mount=kv")
    with pytest.raises(ValueError, match="no field “repository”"):
        parse("github:repository=acme/app")
    with pytest.raises(ValueError, match="No preset “gitlab”"):
        parse("gitlab:x=1")
    assert set(PRESETS) == {"github", "vault", "docker", "kubernetes", "systemd", "fly", "vercel", "ssh"}


# --- real programs ---------------------------------------------------------------------------------


@pytest.mark.keychain
def test_secret_tool_stores_the_key_from_stdin(real_keychain) -> None:
    if shutil.which("secret-tool") is None:
        pytest.fail("secret-tool is installed by packaging/dev/setup.sh (libsecret-tools)")
    secret = Secret(random_secret())
    target = CommandTarget(("secret-tool", "store", "--label=MySSL test", "service", "myssl-cmd-test", "username",
                            "api"),  # the attributes Python's keyring reads, so the app sees the entry too
                           verify=("secret-tool", "lookup", "service", "myssl-cmd-test", "username", "api"),
                           expect="{prefix}")
    try:
        runs = deliver(target, secret)
        assert runs[-1].output == secret.prefix + "…"  # read back, shown by its prefix
        assert real_keychain.load_external("myssl-cmd-test", "api") == secret
    finally:
        real_keychain.delete_external("myssl-cmd-test", "api")


def test_pass_inserts_the_key_from_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("pass") is None or shutil.which("gpg") is None:
        pytest.fail("pass and gpg are installed by packaging/dev/setup.sh")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    monkeypatch.setenv("PASSWORD_STORE_DIR", str(tmp_path / "store"))
    try:
        subprocess.run(["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
                        "MySSL test <test@example.invalid>", "default", "default", "never"], check=True,
                       capture_output=True, timeout=120)
        subprocess.run(["pass", "init", "test@example.invalid"], check=True, capture_output=True, timeout=60)
        secret = Secret(random_secret())
        deliver(CommandTarget(("pass", "insert", "--multiline", "--force", "myssl/api"),
                              verify=("pass", "show", "myssl/api"), expect="{prefix}"), secret)
        shown = subprocess.run(["pass", "show", "myssl/api"], capture_output=True, text=True, check=True)
        assert shown.stdout == secret.reveal()
        stored_file = tmp_path / "store" / "myssl" / "api.gpg"
        assert secret.reveal().encode() not in stored_file.read_bytes()  # encrypted
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], capture_output=True)


def test_systemd_creds_writes_a_private_credential(tmp_path: Path) -> None:
    if not systemd_creds_works():
        pytest.skip("systemd-creds cannot encrypt on this machine")
    secret = Secret(random_secret())
    out = tmp_path / "myssl.cred"
    runs = deliver(parse(f"systemd:name=myssl,out={out}"), secret)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # the child's umask: the user's only
    assert secret.reveal().encode() not in out.read_bytes()
    assert runs[-1].step == "verify" and runs[-1].output == secret.prefix + "…"


def test_a_docker_secret_is_not_made_when_its_existence_is_unknown(standins) -> None:
    standins.steer("hang", "docker secret inspect")
    with pytest.raises(CommandFailed, match="did not finish"):
        deliver(replace(parse("docker:name=app_key"), timeout_s=1), Secret(random_secret()))
    assert not [c for c in standins.calls("docker") if c.argv[:2] == ["secret", "create"]]
