"""Shown-once secrets on the command line: a new key's secret goes to the keychain (KeyActions has
tried that before it gets here), and to the terminal or a file only when asked, or when the
keychain could not keep it (then it is the only copy, and the exit code is 3)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..api.models import ApiKey
from ..keyactions import NewSecret
from ..keychain import SERVICE, Entry
from ..profiles import Profile
from ..timefmt import exact, relative
from .keydata import key_json
from .output import CommandFailed, emit_json, say, warn

ONLY_COPY_PRINTED = 3  # exit code: the secret was printed because nothing else could keep it


def _entry_text(profile: Profile, key: ApiKey) -> str:
    return f"service “{SERVICE}”, entry “{Entry.created_key(profile.id, key.id)}”"


class SecretFile:
    """A new file reserved (O_EXCL, mode 0600) before the request that makes the secret."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def write(self, text: str) -> None:
        assert self._fd is not None
        fd, self._fd = self._fd, None
        try:
            os.write(fd, (text + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def discard(self) -> None:
        """Nothing was written: remove the empty file again."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self.path.unlink(missing_ok=True)


@contextmanager
def reserved_file(path_text: str | None) -> Iterator[SecretFile | None]:
    if path_text is None:
        yield None
        return
    path = Path(path_text)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        warn(f"{path} already exists; refusing to overwrite it. Nothing was changed.")
        raise CommandFailed() from None
    except OSError as error:
        warn(f"cannot create {path}: {error.strerror}. Nothing was changed.")
        raise CommandFailed() from None
    if hasattr(os, "fchmod"):  # POSIX: 0600 whatever the umask (Windows has no fchmod before 3.13)
        os.fchmod(fd, 0o600)
    reserved = SecretFile(path, fd)
    try:
        yield reserved
    finally:
        reserved.discard()  # no-op once written


def deliver(profile: Profile, new: NewSecret, out: SecretFile | None, args: argparse.Namespace, done: str, *,
            keychain: bool = True) -> int:
    """Hand over a secret that KeyActions has already tried to keep in the keychain. Without a
    keychain (a key from MYSSL_API_KEY) it goes only where --show-secret or --out-file say."""
    key, secret = new.api_key, new.secret
    problems: list[str] = []
    if new.expiry_problem:
        problems.append(f"“{key.name}” was created WITHOUT the expiry asked for: {new.expiry_problem} It works until "
                        f"revoked: myssl-keys keys revoke {key.id}")
    written = False
    if out is not None:
        try:
            out.write(secret.reveal())
            written = True
        except OSError as error:
            problems.append(f"could not write the secret to {out.path}: {error.strerror}")
    # Printed when asked, and whenever nothing else kept it: then it is the only copy.
    lost_to_keychain = keychain and not new.stored
    only_copy = lost_to_keychain or not (new.stored or written or args.show_secret)
    reveal = args.show_secret or only_copy
    if args.json:
        result: dict[str, Any] = {"api_key": key_json(key), "secret_stored": new.stored}
        if new.stored:
            result["keychain_entry"] = Entry.created_key(profile.id, key.id)
        elif keychain:
            result["keychain_problem"] = new.problem
        if written and out is not None:
            result["out_file"] = str(out.path)
        if new.expiry_problem:
            result["expiry_problem"] = new.expiry_problem
        if reveal:
            result["secret"] = secret.reveal()
        emit_json(result)
    else:
        say(f"{done} “{key.name}” (id {key.id}, {key.prefix}…), permissions: {', '.join(key.permissions)}.")
        if key.expires_at is not None:
            say(f"It is revoked at {exact(key.expires_at)} ({relative(key.expires_at)}).")
        if new.stored:
            say(f"The secret is stored in your keychain ({_entry_text(profile, key)}).")
        if written and out is not None:
            say(f"The secret was written to {out.path} (mode 0600).")
        if reveal:
            say(f"Secret: {secret.reveal()}")
    if lost_to_keychain:
        warn(f"WARNING: the secret of “{key.name}” could NOT be stored in your keychain: {new.problem}")
    for problem in problems:
        warn(problem)
    if only_copy:
        warn("WARNING: the secret is printed on standard output, and MySSL will never show it again: copy it "
             "somewhere safe now.")
        return ONLY_COPY_PRINTED
    return 1 if problems else 0
