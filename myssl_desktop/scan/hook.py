"""A git pre-commit hook that refuses a commit adding a `myssl_k_` secret.

The hook is a POSIX shell script over `git diff --cached` and awk. It runs no Python, so
it works whichever virtual environment is active (or none, or a GUI git client, or after
the venv is deleted) and it takes milliseconds. It finds exactly what the scanner finds:
`myssl_k_`, 40 lowercase letters or digits, no letter or digit after them.

Installing never overwrites a hook: an existing `pre-commit` is renamed to
`pre-commit.myssl-keys-chained`, and ours runs it (with the same arguments) once the
check passes. Removing undoes exactly that, and only when the hook is still ours as written.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import AppError

HOOK = "pre-commit"
CHAINED = "pre-commit.myssl-keys-chained"
MARKER = "# myssl-keys pre-commit hook"  # the script's second line starts with it

SCRIPT = r"""#!/bin/sh
# myssl-keys pre-commit hook, version 1. Added by `myssl-keys hook install`; `myssl-keys hook
# remove` takes it out again (and puts back the hook it chains to).
#
# Refuses a commit whose staged changes add a MySSL key secret ("myssl_k_" and 40 lowercase
# letters or digits) and names each by its 12-character prefix. Plain sh, git and awk: it needs
# no Python and no virtual environment.
found=$(git diff --cached --no-color --no-ext-diff --no-textconv --unified=0 \
    --src-prefix=a/ --dst-prefix=b/ |
  LC_ALL=C awk '
    /^diff --git / { header = 1; next }
    header && /^\+\+\+ / { path = substr($0, 5); sub(/^b\//, "", path); sub(/^"b\//, "\"", path); next }
    /^@@ / { header = 0; split($3, start, ","); line = substr(start[1], 2) + 0; next }
    header || !/^\+/ { next }
    {
      rest = substr($0, 2)
      while (match(rest, /myssl_k_[a-z0-9]+/)) {
        if (RLENGTH == 48 && substr(rest, RSTART + RLENGTH, 1) !~ /[A-Z]/)
          print "  " path ":" line ": " substr(rest, RSTART, 12) "…"
        rest = substr(rest, RSTART + RLENGTH)
      }
      line++
    }')
if [ -n "$found" ]; then
  {
    echo "myssl-keys: this commit would add a MySSL API key to the repository:"
    printf '%s\n' "$found"
    echo "Take it out of the staged files (git restore --staged FILE) and keep it in a git-ignored"
    echo ".env file or the keychain instead. If the key was ever shared, rotate it (myssl-keys rotate)."
    echo "Not a real key? Commit with --no-verify."
  } >&2
  exit 1
fi
chained="${0%/*}/pre-commit.myssl-keys-chained"
if [ -x "$chained" ]; then
  exec "$chained" "$@"
fi
exit 0
"""


class HookError(AppError):
    """The hook could not be installed or removed; the message says what to do."""


@dataclass(frozen=True)
class HookChange:
    """What install or remove did: `hook` is the pre-commit file; `chained` the other hook
    ours runs (install) or that was put back (remove); `changed` is False when there was
    nothing to do."""

    hook: Path
    chained: Path | None
    changed: bool


def hooks_folder(repository: Path) -> Path:
    """The folder git runs hooks from (it follows `core.hooksPath`)."""
    top = _git(repository, "rev-parse", "--show-toplevel")
    return Path(top, _git(Path(top), "rev-parse", "--git-path", "hooks")).resolve()


def install_hook(repository: Path) -> HookChange:
    folder = hooks_folder(repository)
    hook, chained = folder / HOOK, folder / CHAINED
    if _is_ours(hook):
        return HookChange(hook, chained if _exists(chained) else None, changed=False)
    if _exists(hook) and _exists(chained):
        raise HookError(f"Both {hook} and {chained} exist, and neither is the myssl-keys hook. Nothing was "
                        f"changed: merge or remove one of them by hand, then install again.")
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f"{HOOK}.myssl-keys-new"
    _write_new(staged, SCRIPT)
    moved = _exists(hook)
    try:
        if moved:
            os.rename(hook, chained)
        os.rename(staged, hook)
    except OSError as error:
        if moved and not _exists(hook):
            os.rename(chained, hook)
        staged.unlink(missing_ok=True)
        raise HookError(f"Could not install the hook in {folder}: {error.strerror or error}.") from error
    return HookChange(hook, chained if moved else None, changed=True)


def remove_hook(repository: Path) -> HookChange:
    folder = hooks_folder(repository)
    hook, chained = folder / HOOK, folder / CHAINED
    if not _exists(hook) or MARKER not in _read(hook):
        return HookChange(hook, None, changed=False)
    if _read(hook) != SCRIPT:
        then = f" and rename {chained} back to {HOOK}" if _exists(chained) else ""
        raise HookError(f"{hook} was changed after `myssl-keys hook install` wrote it, so it is left as it "
                        f"is. Remove it by hand{then}.")
    hook.unlink()
    if _exists(chained):
        os.rename(chained, hook)
        return HookChange(hook, chained, changed=True)
    return HookChange(hook, None, changed=True)


def _is_ours(path: Path) -> bool:
    return path.is_file() and MARKER in _read(path)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _write_new(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o755)
    with open(fd, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
    os.chmod(path, 0o755)


def _git(folder: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)
    except FileNotFoundError as error:
        raise HookError("git was not found on PATH; the hook needs git.") from error
    if result.returncode != 0:
        raise HookError(f"{folder} is not in a git repository ({result.stderr.strip() or 'git failed'}).")
    return result.stdout.strip()
