"""What the CLI tests share: a profile signed in to the sandbox (`Work`), and `myssl-keys` in a
process whose code a test has changed first (`patched_cli`)."""

from __future__ import annotations

import argparse
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import keyring
import secretstorage

from myssl_desktop.api.client import MysslClient
from myssl_desktop.api.models import ApiKey
from myssl_desktop.keychain import SERVICE, Entry
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import Profile
from tests.support import files_containing


@dataclass
class Work:
    """Profile “work”, signed in with the sandbox's admin key."""

    cli: object
    sandbox: object
    app_dirs: AppDirs
    profile: Profile
    api: MysslClient
    secrets: set[str] = field(default_factory=set)  # every secret the test made or saw
    revealed: set[int] = field(default_factory=set)  # indexes of outputs allowed to show one

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.cli(*args)  # type: ignore[operator]
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def reveal(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A run that was asked to print a secret (--show-secret)."""
        self.revealed.add(len(self.cli.outputs))  # type: ignore[attr-defined]
        return self.run(*args)

    def stored(self, key_id: int) -> str | None:
        secret = keyring.get_password(SERVICE, Entry.created_key(self.profile.id, key_id))
        if secret is not None:
            self.secrets.add(secret)
        return secret

    def make(self, name: str, permissions: tuple[str, ...] = ("domains:read",)) -> tuple[ApiKey, str]:
        """A key created straight through the API (its secret known to the test only)."""
        created = self.api.create_key(name, list(permissions))
        self.secrets.add(created.secret.reveal())
        return created.api_key, created.secret.reveal()

    def named(self, name: str) -> ApiKey:
        [key] = [k for k in self.api.all_keys(search=name) if k.name == name]
        return key

    def assert_no_leaks(self) -> None:
        for key in self.api.all_keys():
            self.stored(key.id)
        secrets = self.secrets | {self.sandbox.admin_key}  # type: ignore[attr-defined]
        for index, output in enumerate(self.cli.outputs):  # type: ignore[attr-defined]
            if index not in self.revealed:
                leaked = [s[:12] for s in secrets if s in output]
                assert leaked == [], f"output {index} shows the secret(s) {leaked}…"
        root = self.app_dirs.config.parent.parent
        for secret in secrets:
            assert files_containing(root, secret) == []


def every_parser(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """`parser` and the parsers of all its commands and their subcommands."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from every_parser(sub)


def keychain_secrets() -> set[str]:
    """Every secret in the test session's Secret Service, whoever stored it."""
    connection = secretstorage.dbus_init()
    try:
        return {item.get_secret().decode() for item in secretstorage.get_default_collection(connection)
                .get_all_items()}
    finally:
        connection.close()


def cli_env(**variables: str) -> dict[str, str]:
    """This process's environment (the test's folders and D-Bus session) without any MYSSL_
    variable of the developer's shell, plus `variables`."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("MYSSL_")}, **variables}


def in_terminal(argv: list[str], asked: str, typed: str) -> tuple[int, str]:
    """Run `argv` on a new pseudo-terminal (its own session, so that no terminal of the
    test run is involved), type `typed` once it shows `asked`, and return its exit code and
    everything the terminal showed, echo included."""
    main, secondary = os.openpty()
    process = subprocess.Popen(argv, stdin=secondary,
                               stdout=secondary, stderr=secondary, env=cli_env(), start_new_session=True)
    os.close(secondary)
    shown = b""
    deadline = time.monotonic() + 30
    while asked.encode() not in shown and time.monotonic() < deadline:  # the prompt
        if select.select([main], [], [], 1)[0]:
            shown += os.read(main, 4096)
    os.write(main, typed.encode() + b"\n")
    while True:
        try:
            chunk = os.read(main, 4096) if select.select([main], [], [], 30)[0] else b""
        except OSError:  # EIO: the process closed the terminal
            chunk = b""
        if not chunk:
            break
        shown += chunk
    os.close(main)
    return process.wait(timeout=30), shown.decode(errors="replace")


def patched_argv(patch: str, *args: str) -> list[str]:
    """The command line of `myssl-keys ARGS` in a process whose code `patch` changes first (it can
    use `keychain`, and the tests package)."""
    script = ("import sys\nfrom myssl_desktop import keychain\n" + patch
              + "\nfrom myssl_desktop.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    return [sys.executable, "-c", script, *args]


def patched_cli(patch: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`myssl-keys` in a new process whose code (its keychain class, say) `patch` changes first."""
    return subprocess.run(patched_argv(patch, *args), capture_output=True, text=True, env=cli_env(), timeout=60)
