"""`myssl-desktop --self-test` from the source tree: passes with the real keychain, fails
naming the keychain without one, and never prints a secret. (The frozen app's self-test
runs in tests/test_packaging.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from myssl_desktop import selftest
from myssl_desktop.keychain import SERVICE, Keychain

SECRET_SHAPED = re.compile(r"myssl_k_[A-Za-z0-9]{5,}")  # longer than the 12-character prefix


def run_self_test(**env_changes: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, **env_changes)
    env.pop("QT_QPA_PLATFORM", None)  # the self-test itself defaults to offscreen
    return subprocess.run([sys.executable, "-m", "myssl_desktop.app", "--self-test"], env=env,
                          capture_output=True, text=True, timeout=90)


def check_lines(stdout: str) -> dict[str, str]:
    return {m.group(2): m.group(1) for m in re.finditer(r"^(ok  |FAIL) (\w+): ", stdout, re.M)}


def self_test_entries() -> list[str]:
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        items = secretstorage.get_default_collection(connection).search_items({"service": SERVICE})
        return [name for item in items
                if (name := item.get_attributes().get("username", "")).startswith("self-test/")]
    finally:
        connection.close()


@pytest.mark.keychain
def test_the_self_test_passes_with_the_real_keychain(real_keychain: Keychain) -> None:
    result = run_self_test()
    assert result.returncode == 0, result.stdout + result.stderr
    assert check_lines(result.stdout) == {"window": "ok  ", "keychain": "ok  ", "api": "ok  "}
    assert "ok   keychain: keyring.backends.SecretService.Keyring round trip" in result.stdout
    assert "keys table on offscreen" in result.stdout
    assert "(from source," in result.stdout.splitlines()[0]
    assert "self-test passed: 3 of 3 checks" in result.stdout
    assert not SECRET_SHAPED.search(result.stdout + result.stderr)
    assert self_test_entries() == []  # the throw-away entry was deleted


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Secret Service over D-Bus is Linux's keychain")
def test_without_a_keychain_it_fails_and_names_the_keychain(tmp_path: Path) -> None:
    result = run_self_test(DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-such-bus'}")
    assert result.returncode != 0
    assert check_lines(result.stdout) == {"window": "ok  ", "keychain": "FAIL", "api": "ok  "}
    failure = next(line for line in result.stdout.splitlines() if line.startswith("FAIL keychain: "))
    assert "Secret Service" in failure  # the advice: what to start or unlock
    assert "self-test FAILED: 1 of 3 checks failed (keychain)" in result.stdout
    assert not SECRET_SHAPED.search(result.stdout + result.stderr)


def test_messages_are_scrubbed_of_the_value_and_of_key_shaped_text() -> None:
    value = "myssl_k_" + "a1" * 16
    text = selftest._scrub(f"stored {value}, server said myssl_k_ZZZZ9999yyyy", value)
    assert value not in text and "ZZZZ9999yyyy" not in text
    assert "***" in text and "myssl_k_ZZZZ…" in text


def test_a_check_that_never_answers_fails_instead_of_hanging() -> None:
    import threading

    release = threading.Event()
    with pytest.raises(selftest.CheckFailed, match="no answer within"):
        selftest._with_timeout(lambda: str(release.wait(5)), 0.2, "stuck")
    release.set()


def test_on_windows_the_offscreen_platform_is_pointed_at_the_system_fonts() -> None:
    environ = {"WINDIR": "D:\\Win\\"}
    selftest.offscreen_environment(environ, "win32")
    assert environ == {"WINDIR": "D:\\Win\\", "QT_QPA_PLATFORM": "offscreen", "QT_QPA_FONTDIR": "D:\\Win\\Fonts"}

    chosen = {"QT_QPA_PLATFORM": "windows", "WINDIR": "C:\\Windows"}
    selftest.offscreen_environment(chosen, "win32")
    assert "QT_QPA_FONTDIR" not in chosen  # a real platform plugin finds fonts itself

    elsewhere: dict[str, str] = {}
    selftest.offscreen_environment(elsewhere, "linux")
    assert elsewhere == {"QT_QPA_PLATFORM": "offscreen"}
