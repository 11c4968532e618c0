"""Update targets: the places a key lives, each updated idempotently and undoable.

- EnvFileTarget: replaces one variable's value in a `.env`-style file in place, keeping
  every other byte (comments, quoting, `export`, line endings); atomic, same permissions,
  with a backup beside the file for cancel; stops if the file changed since it was read.
- KeychainTarget: a keychain entry (service, user) another program reads.
- SnippetTarget / ManualTarget: things the user does (a command to run, a box to tick).
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api.secret import Secret
from ..atomicfile import write_atomic
from ..errors import AppError

DEFAULT_VARIABLE = "MYSSL_API_KEY"


class TargetChanged(AppError):
    """The file changed since the rotation read it: someone else is editing it."""


class TargetFailed(AppError):
    """A target could not be updated; the message says why and what to do."""


def _line_pattern(variable: str) -> re.Pattern[bytes]:
    # [export ]VAR=value, value bare or quoted; keeps whatever surrounds the value.
    return re.compile(rb"^(?P<lead>[ \t]*(?:export[ \t]+)?" + re.escape(variable.encode())
                      + rb"[ \t]*=[ \t]*)(?P<value>\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\s#\r\n]*)", re.MULTILINE)


def read_value(content: bytes, variable: str) -> str | None:
    """The variable's (last) value in `.env` content, unquoted; None when absent."""
    matches = list(_line_pattern(variable).finditer(content))
    if not matches:
        return None
    value = matches[-1].group("value").decode()
    return value[1:-1] if value[:1] in "\"'" and len(value) >= 2 else value


def replace_value(content: bytes, variable: str, new_value: str) -> bytes:
    """Every assignment of `variable` gets `new_value`, in its own quoting; the rest of the
    bytes are untouched. A missing variable is appended (with the file's line ending)."""
    pattern = _line_pattern(variable)
    encoded = new_value.encode()

    def swap(match: re.Match[bytes]) -> bytes:
        value = match.group("value")
        quote = value[:1] if value[:1] in (b'"', b"'") else b""
        return match.group("lead") + quote + encoded + quote

    updated, count = pattern.subn(swap, content)
    if count:
        return updated
    newline = b"\r\n" if b"\r\n" in content else b"\n"
    if content and not content.endswith((b"\n", b"\r")):
        content += newline
    return content + variable.encode() + b"=" + encoded + newline


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class EnvFileTarget:
    path: str
    variable: str = DEFAULT_VARIABLE
    read_digest: str = ""  # the file as the rotation planned against it
    kind: str = "env-file"

    @staticmethod
    def plan(path: str | Path, variable: str = DEFAULT_VARIABLE) -> EnvFileTarget:
        """Read the file now: a later change by someone else stops the rotation."""
        resolved = Path(path).expanduser().resolve()
        try:
            content = resolved.read_bytes()
        except OSError as error:
            raise TargetFailed(f"Cannot read {resolved}: {error.strerror}.") from None
        return EnvFileTarget(str(resolved), variable, digest(content))

    @property
    def label(self) -> str:
        return f"{self.variable} in {self.path}"

    def backup_path(self, rotation_id: str) -> Path:
        path = Path(self.path)
        return path.with_name(f".{path.name}.myssl-backup-{rotation_id}")

    def holds(self, secret: Secret) -> bool:
        try:
            return read_value(Path(self.path).read_bytes(), self.variable) == secret.reveal()
        except OSError:
            return False

    def deliver(self, secret: Secret, rotation_id: str) -> None:
        path = Path(self.path)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise TargetFailed(f"Cannot read {path}: {error.strerror}.") from None
        if read_value(content, self.variable) == secret.reveal():
            return  # delivered before a crash
        backup = self.backup_path(rotation_id)
        if digest(content) != self.read_digest and not backup.exists():
            raise TargetChanged(f"{path} changed since the rotation read it. Check the file, then resume "
                                "and accept it as it is now (myssl-keys rotate --resume ID "
                                "--accept-changed-files, or “Use the file as it is now” in the app).")
        if not os.access(path, os.W_OK):
            raise TargetFailed(f"{path} is read-only for you. Make it writable (or update {self.variable} "
                               "by hand), then resume.")
        if not backup.exists():
            shutil.copy2(path, backup)  # same permissions and times: the backup holds the old secret
        write_atomic(path, replace_value(content, self.variable, secret.reveal()), mode=None)

    def restore(self, rotation_id: str) -> None:
        backup = self.backup_path(rotation_id)
        if backup.exists():
            os.replace(backup, self.path)

    def discard_backup(self, rotation_id: str) -> None:
        self.backup_path(rotation_id).unlink(missing_ok=True)

    def replanned(self) -> EnvFileTarget:
        """Accept the file as it is now (after the user checked a change)."""
        return EnvFileTarget.plan(self.path, self.variable)


@dataclass(frozen=True)
class KeychainTarget:
    service: str
    user: str
    kind: str = "keychain"

    @property
    def label(self) -> str:
        return f"keychain entry {self.service} / {self.user}"


@dataclass(frozen=True)
class SnippetTarget:
    """A command the user runs somewhere we cannot reach (a shell, GitHub, Kubernetes)."""

    style: str  # "shell", "github" or "kubernetes"
    kind: str = "snippet"

    @property
    def label(self) -> str:
        return {"shell": "shell environment", "github": "GitHub Actions secret",
                "kubernetes": "Kubernetes secret"}.get(self.style, self.style)


@dataclass(frozen=True)
class ManualTarget:
    """A checklist item ("Production server") the user ticks off."""

    description: str
    kind: str = "manual"

    @property
    def label(self) -> str:
        return self.description


Target = EnvFileTarget | KeychainTarget | SnippetTarget | ManualTarget
_KINDS: dict[str, Any] = {"env-file": EnvFileTarget, "keychain": KeychainTarget, "snippet": SnippetTarget,
                          "manual": ManualTarget}


def target_from(spec: dict[str, Any]) -> Target:
    spec = dict(spec)
    return _KINDS[spec.pop("kind")](**spec)


def replanned(spec: dict[str, Any]) -> Target:
    """A remembered target, ready for a new rotation (files are read afresh)."""
    target = target_from(spec)
    return target.replanned() if isinstance(target, EnvFileTarget) else target


def spec_of(target: Target) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(target)


def snippets(secret: Secret, variable: str = DEFAULT_VARIABLE) -> dict[str, str]:
    """Copyable commands that install the new secret. Only the first holds the secret (a
    leading space keeps it out of most shells' history); the others read it from that
    variable, so it never sits in `gh`'s or `kubectl`'s command line."""
    value = shlex.quote(secret.reveal())
    return {
        "shell": f" export {variable}={value}",
        "github": f'gh secret set {variable} --body "${variable}"',
        "kubernetes": (f'kubectl create secret generic myssl-api-key --from-literal={variable}="${variable}" '
                       "--dry-run=client -o yaml | kubectl apply -f -"),
    }
