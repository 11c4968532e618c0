"""Update targets: the places a key lives, as typed objects.

- EnvFileTarget: one variable of a `.env`-style file, edited in place (files.py, envfile.py).
- KeychainTarget: a keychain entry (service, user) another program reads.
- CommandTarget: a program run with the new secret on its standard input (or in one variable
  of its environment), never in its argv (commands.py runs it; presets.py builds the usual ones).
- SnippetTarget / ManualTarget: things the user does (a command to run, a box to tick).

`look()` says what a target holds now (the old key, nothing, something else), so that a
rotation never silently replaces another key. Dicts exist only in `to_spec`/`from_spec`, for
the journal and the remembered targets.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..api.secret import Secret, is_key_format
from ..errors import AppError
from ..redaction import KEY_PREFIX, key_prefix
from . import envfile

if TYPE_CHECKING:
    from ..keychain import Keychain

DEFAULT_VARIABLE = "MYSSL_API_KEY"


class TargetFailed(AppError):
    """A target could not be updated; the message says why and what to do."""


class TargetChanged(AppError):
    """A target is neither as it was nor as the rotation wrote it: someone else changed it."""


@dataclass(frozen=True)
class EnvFileTarget:
    path: str  # absolute, as the user gave it: a symlink stays a symlink
    variable: str = DEFAULT_VARIABLE
    kind: ClassVar[str] = "env-file"
    automatic: ClassVar[bool] = True  # the rotation updates it itself

    @staticmethod
    def at(path: str | Path, variable: str = DEFAULT_VARIABLE) -> EnvFileTarget:
        """`~` expanded and made absolute, but not resolved: remembered as given."""
        return EnvFileTarget(os.path.abspath(os.path.expanduser(str(path))), variable or DEFAULT_VARIABLE)

    @property
    def label(self) -> str:
        return f"{self.variable} in {self.path}"


@dataclass(frozen=True)
class KeychainTarget:
    service: str
    user: str
    kind: ClassVar[str] = "keychain"
    automatic: ClassVar[bool] = True

    @property
    def label(self) -> str:
        return f"Keychain entry “{self.service}” / “{self.user}”"


class Delivery(StrEnum):
    """How a command gets the secret. Never in its argv, where `ps` would show it."""

    RAW = "raw"  # the secret alone on standard input, no newline
    ENV_LINE = "env-line"  # one `NAME=VALUE` line on standard input
    ENV = "env"  # in one environment variable of that child process only


_COMMAND_FIELDS = ("argv", "pipe_to", "check", "exists", "verify", "restart")


@dataclass(frozen=True)
class CommandTarget:
    """A program that installs the secret somewhere we reach only through it (a CI secret, a
    secret store, Kubernetes, a systemd credential, a server over ssh). Argv templates, run
    with no shell: `{version}` stands for a name derived from the key's prefix (a Docker secret
    is immutable, so each key gets its own), never the secret itself."""

    argv: tuple[str, ...]
    delivery: Delivery = Delivery.RAW
    variable: str = DEFAULT_VARIABLE  # the NAME of `NAME=VALUE`, or of the environment variable
    pipe_to: tuple[str, ...] = ()  # a second program reading the first one's output (`kubectl apply -f -`)
    check: tuple[str, ...] = ()  # a cheap look before the rotation starts (`gh auth status`)
    exists: tuple[str, ...] = ()  # succeeds when this version is installed already: nothing to run
    verify: tuple[str, ...] = ()  # after the update: must succeed, and print `expect`
    expect: str = ""  # `{prefix}` (the key's 12 characters) or a name the verify output must show
    restart: tuple[str, ...] = ()  # after the update: what reads the secret reads it again
    writable: str = ""  # a local file the update writes: checked before the rotation starts
    timeout_s: int = 120  # each program run; then it is killed and the target failed
    preset: str = ""  # the preset that made it ("" for a command the user wrote)
    title: str = ""  # what it is, for people ("GitHub Actions secret MYSSL_API_KEY of acme/app")
    warning: str = ""  # what the user should know (a whole file is replaced; versioned names)
    kind: ClassVar[str] = "command"
    automatic: ClassVar[bool] = True

    def __post_init__(self) -> None:
        for name in _COMMAND_FIELDS:  # the journal's JSON lists become tuples again
            object.__setattr__(self, name, tuple(str(part) for part in getattr(self, name)))
        object.__setattr__(self, "delivery", Delivery(self.delivery))
        if not self.argv:
            raise ValueError("A command target needs a program to run.")
        for name in _COMMAND_FIELDS:
            if any(KEY_PREFIX in part for part in getattr(self, name)):
                raise ValueError("A command names the variable, never the secret: take the key out of the "
                                 "command line.")
        if self.delivery is not Delivery.RAW and not _VARIABLE.fullmatch(self.variable):
            raise ValueError(f"“{self.variable}” is not a variable name (letters, digits and underscores).")
        if self.timeout_s <= 0:
            raise ValueError("A command's timeout must be at least one second.")

    @property
    def label(self) -> str:
        what = self.title or f"Command “{shlex.join(self.argv)}”"
        how = {Delivery.RAW: "the key on its standard input",
               Delivery.ENV_LINE: f"{self.variable}=… on its standard input",
               Delivery.ENV: f"the key in its environment variable {self.variable}"}[self.delivery]
        return f"{what} (run for you, {how})"

    @property
    def program(self) -> str:
        return self.argv[0]


@dataclass(frozen=True)
class SnippetTarget:
    """A command the user runs somewhere we cannot reach (a shell, GitHub, Kubernetes)."""

    style: str  # "shell" ("github" and "kubernetes" in journals of earlier versions: command targets now)
    kind: ClassVar[str] = "snippet"
    automatic: ClassVar[bool] = False  # the user does it and ticks it off

    @property
    def label(self) -> str:
        words = {"shell": "Shell environment", "github": "GitHub Actions secret",
                 "kubernetes": "Kubernetes secret"}.get(self.style, self.style)
        return f"{words} (a command you run)"


@dataclass(frozen=True)
class ManualTarget:
    """A checklist item ("Production server") the user ticks off."""

    description: str
    kind: ClassVar[str] = "manual"
    automatic: ClassVar[bool] = False

    @property
    def label(self) -> str:
        return f"{self.description} (a checklist item you tick off)"


Target = EnvFileTarget | KeychainTarget | CommandTarget | SnippetTarget | ManualTarget
_KINDS: dict[str, type[Target]] = {cls.kind: cls for cls in (EnvFileTarget, KeychainTarget, CommandTarget,
                                                            SnippetTarget, ManualTarget)}
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def to_spec(target: Target) -> dict[str, Any]:
    """The target as JSON-ready data (for the journal and the remembered targets)."""
    spec = {"kind": target.kind, **asdict(target)}
    if isinstance(target, CommandTarget):
        spec["delivery"] = target.delivery.value
    return spec


def from_spec(spec: dict[str, Any]) -> Target:
    """A target from `to_spec` data (journals of earlier versions included)."""
    values = {k: v for k, v in spec.items() if k not in ("kind", "read_digest")}
    return _KINDS[str(spec["kind"])](**values)


# --- what a target holds -----------------------------------------------------------------


class Holds(StrEnum):
    OLD_KEY = "old key"  # the key being rotated: the usual case
    NEW_KEY = "new key"  # written already
    NOTHING = "nothing"  # absent or empty: the key will be added
    OTHER_KEY = "another key"  # replacing it needs the user's explicit word
    NOT_A_KEY = "not a key"  # a placeholder or anything else: likewise
    UNREADABLE = "unreadable"
    READY = "ready"  # a command whose program is there and whose check passed
    BY_HAND = "by hand"  # commands and checklist items: the user updates them


@dataclass(frozen=True)
class Contents:
    """What a target holds, named by prefix only (never a secret)."""

    holds: Holds
    prefix: str = ""  # of the key found, for OTHER_KEY
    reference: str = ""  # the variable the value refers to (`${OTHER}`): the key lives there
    problem: str = ""  # why it cannot be used, for UNREADABLE, or a warning (read-only file)
    detail: str = ""  # what was checked, for READY

    @property
    def needs_force(self) -> bool:
        """Writing would replace something that is not the old key: only with the user's word."""
        return self.holds in (Holds.OTHER_KEY, Holds.NOT_A_KEY)

    @property
    def usable(self) -> bool:
        return self.holds is not Holds.UNREADABLE

    def note(self, target: Target) -> str:
        """A line for the plan: what the rotation will find there."""
        what = "variable" if isinstance(target, EnvFileTarget) else "entry"
        notes = {
            Holds.OLD_KEY: "holds this key",
            Holds.NEW_KEY: "holds the new key already",
            Holds.NOTHING: (f"no {target.variable} in it yet: it will be added" if isinstance(target, EnvFileTarget)
                            else "no such entry yet: it will be created"),
            Holds.OTHER_KEY: f"⚠ holds another key ({self.prefix}…): is it the right {what}?",
            Holds.NOT_A_KEY: "⚠ holds something that is not a MySSL key",
            Holds.UNREADABLE: self.problem,
            Holds.READY: self.detail or "ready",
            Holds.BY_HAND: "",
        }
        text = notes[self.holds]
        if self.problem and self.holds is not Holds.UNREADABLE:
            text += f" ⚠ {self.problem}"
        return text


def classify(value: str | None, old_prefix: str, new_prefix: str = "") -> Contents:
    """What a value (None: absent) is, seen by a rotation from `old_prefix` to `new_prefix`."""
    if value is None or not value.strip():
        return Contents(Holds.NOTHING)
    value = value.strip()
    if is_key_format(value):
        if old_prefix and value.startswith(old_prefix):
            return Contents(Holds.OLD_KEY)
        if new_prefix and value.startswith(new_prefix):
            return Contents(Holds.NEW_KEY)
        return Contents(Holds.OTHER_KEY, prefix=key_prefix(value))
    return Contents(Holds.NOT_A_KEY)


def look(target: Target, old_prefix: str, keychain: Keychain, new_prefix: str = "") -> Contents:
    """What `target` holds now. It reads files and the keychain: call it off the GUI thread."""
    if isinstance(target, EnvFileTarget):
        path = Path(target.path)
        try:
            content = path.read_bytes()
        except OSError as error:
            return Contents(Holds.UNREADABLE, problem=f"Cannot read {path}: {error.strerror or error}.")
        found = envfile.lookup(content, target.variable)
        if found.problem is not None:
            return Contents(Holds.UNREADABLE, problem=str(found.problem))
        if found.reference:
            return Contents(Holds.UNREADABLE, reference=found.reference,
                            problem=f"{target.variable} in {path} refers to ${{{found.reference}}}: the key lives in "
                                    f"{found.reference}. Use {found.reference} as the variable instead.")
        contents = classify(found.value, old_prefix, new_prefix)
        if not os.access(path, os.W_OK):
            contents = Contents(contents.holds, contents.prefix, contents.reference,
                                problem="read-only for you: make it writable before the update step")
        return contents
    if isinstance(target, KeychainTarget):
        value = keychain.load_external(target.service, target.user)
        return classify(None if value is None else value.reveal(), old_prefix, new_prefix)
    return Contents(Holds.BY_HAND)


def snippets(secret: Secret, variable: str = DEFAULT_VARIABLE) -> dict[str, str]:
    """Copyable commands that install the new secret. The shell export holds the secret (a
    leading space keeps it out of most shells' history). GitHub and Kubernetes are command
    targets now; for a rotation journaled with their old snippets, these commands read the key
    from their standard input (paste it, then Ctrl+D), so it never sits in a command line."""
    value = shlex.quote(secret.reveal())
    return {
        "shell": f" export {variable}={value}",
        "github": f"gh secret set {variable}",
        "kubernetes": (f"kubectl create secret generic myssl-api-key --from-file={variable}=/dev/stdin "
                       "--dry-run=client -o yaml | kubectl apply -f -"),
    }


__all__ = ["DEFAULT_VARIABLE", "CommandTarget", "Contents", "Delivery", "EnvFileTarget", "Holds", "KeychainTarget",
           "ManualTarget", "SnippetTarget", "Target", "TargetChanged", "TargetFailed", "classify", "from_spec", "look",
           "snippets", "to_spec"]
