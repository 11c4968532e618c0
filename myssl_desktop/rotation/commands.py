"""Running a command target: its argv with no shell, the secret on its standard input (or in
one variable of its environment), never in its argv; a timeout for every program; its output
captured with every key cut to its prefix, then logged and handed back to be shown.

A run is: `exists` (when this version is installed already there is nothing to run), the update
(piped into a second program when the target says so), then `verify` and `restart`. All of it is
safe to run again: a rotation interrupted mid-run runs the target again on resume.
"""

from __future__ import annotations

import base64
import logging
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from ..api.secret import Secret
from ..redaction import PREFIX_LENGTH, redact
from .targets import CommandTarget, Contents, Delivery, Holds, TargetFailed

log = logging.getLogger(__name__)

OUTPUT_LIMIT = 4000  # characters of a program's output kept (its end: where the error is)
CHECK_TIMEOUT_S = 30  # a preflight check is cheap, or it is broken


@dataclass(frozen=True)
class Ran:
    """One program run, as it may be shown and logged: no secret (the argv never has one, the
    output is redacted)."""

    index: int  # of the target in its rotation (-1 outside one)
    step: str  # "check", "exists", "update", "verify" or "restart"
    command: str  # the argv as a person reads it ("a | b" for a pipe)
    code: int | None  # None: it did not run to its end (not found, timed out)
    output: str  # standard output and error, every key cut to its prefix
    seconds: float
    problem: str = ""  # why it counts as failed ("" when it did not)

    @property
    def ok(self) -> bool:
        return not self.problem

    def summary(self) -> str:
        status = f"exit {self.code}" if self.code is not None else "did not finish"
        return f"{self.step}: {self.command} ({status}, {self.seconds:.1f} s)"


class CommandFailed(TargetFailed):
    """A command target's program failed; `runs` holds what ran, for showing."""

    def __init__(self, message: str, runs: tuple[Ran, ...]) -> None:
        super().__init__(message)
        self.runs = runs


def version(secret_prefix: str) -> str:
    """The 4 characters after `myssl_k_`: a Docker secret's versioned name ends with them."""
    return secret_prefix[len("myssl_k_"):PREFIX_LENGTH]


def substitute(parts: tuple[str, ...], secret_prefix: str) -> tuple[str, ...]:
    """`{version}` and `{prefix}` filled in (exact tokens only: `{{.Name}}` stays as it is)."""
    return tuple(p.replace("{version}", version(secret_prefix)).replace("{prefix}", secret_prefix) for p in parts)


def shown(argv: tuple[str, ...], pipe_to: tuple[str, ...] = ()) -> str:
    text = shlex.join(argv)
    return f"{text} | {shlex.join(pipe_to)}" if pipe_to else text


# --- before the rotation ---------------------------------------------------------------------


def preflight(target: CommandTarget) -> Contents:
    """Whether the target can run: every program is found, a file it writes is writable, and
    its cheap check passes. Runs the check: call it off the GUI thread."""
    for part in (target.argv, target.pipe_to, target.check, target.exists, target.verify, target.restart):
        if part and _which(part[0]) is None:
            return Contents(Holds.UNREADABLE, problem=f"“{part[0]}” is not installed, or not on PATH: install it "
                                                      "(or remove this place) before rotating.")
    checked = [f"{target.program} found"]
    if target.writable:
        problem = _not_writable(Path(target.writable).expanduser())
        if problem:
            return Contents(Holds.UNREADABLE, problem=problem)
        checked.append(f"{target.writable} writable")
    if target.check:
        ran = _run(-1, "check", target.check, timeout_s=min(target.timeout_s, CHECK_TIMEOUT_S))
        if not ran.ok:
            return Contents(Holds.UNREADABLE, problem=f"The check “{ran.command}” failed: {ran.problem}"
                                                      f"{_tail(ran.output)} Fix it before rotating.")
        checked.append(f"“{ran.command}” passed")
    return Contents(Holds.READY, detail="ready: " + ", ".join(checked), problem=target.warning)


def _not_writable(path: Path) -> str:
    if path.exists():
        return "" if os.access(path, os.W_OK) else f"{path} is not writable for you."
    if not path.parent.is_dir():
        return f"The folder {path.parent} does not exist."
    return "" if os.access(path.parent, os.W_OK) else f"The folder {path.parent} is not writable for you."


# --- delivering --------------------------------------------------------------------------------


def deliver(target: CommandTarget, secret: Secret, index: int = -1) -> tuple[Ran, ...]:
    """Install `secret` with the target's program, then verify and restart. Raises
    CommandFailed (with what ran) when a program fails or times out."""
    prefix = secret.prefix
    runs: list[Ran] = []

    def step(ran: Ran) -> Ran:
        runs.append(ran)
        if not ran.ok:
            raise CommandFailed(f"“{ran.command}” {ran.problem}{_tail(ran.output)}", tuple(runs))
        return ran

    installed = False
    if target.exists:
        found = _run(index, "exists", substitute(target.exists, prefix), timeout_s=target.timeout_s, hide=secret)
        if found.code is None:
            step(found)  # it did not run: whether this version is there is unknown
        runs.append(replace(found, problem=""))  # "no" (a non-zero exit) is an answer, not a failure
        installed = found.code == 0
    if not installed:
        data, extra = _delivered(target, secret)
        step(_run(index, "update", substitute(target.argv, prefix), stdin=data, env=extra,
                  pipe_to=substitute(target.pipe_to, prefix), timeout_s=target.timeout_s, hide=secret))
    if target.verify:
        ran = step(_run(index, "verify", substitute(target.verify, prefix), timeout_s=target.timeout_s, hide=secret))
        expected = substitute((target.expect,), prefix)[0]
        if expected and expected not in ran.output:
            step(replace(runs.pop(), problem=f"ran, but its output does not show “{expected}”."))
    if target.restart:
        step(_run(index, "restart", substitute(target.restart, prefix), timeout_s=target.timeout_s, hide=secret))
    return tuple(runs)


def _delivered(target: CommandTarget, secret: Secret) -> tuple[bytes | None, dict[str, str]]:
    """What goes to the program's standard input, and the environment variable added."""
    if target.delivery is Delivery.ENV:
        return None, {target.variable: secret.reveal()}
    if target.delivery is Delivery.ENV_LINE:
        return f"{target.variable}={secret.reveal()}\n".encode(), {}
    return secret.reveal().encode(), {}


# --- running one program -------------------------------------------------------------------------


def _which(program: str) -> str | None:
    return program if os.sep in program and os.access(program, os.X_OK) else shutil.which(program)


def _run(index: int, step: str, argv: tuple[str, ...], *, stdin: bytes | None = None,
         env: dict[str, str] | None = None, pipe_to: tuple[str, ...] = (), timeout_s: float = 120,
         hide: Secret | None = None) -> Ran:
    """Run `argv` (into `pipe_to`), feeding `stdin`; never raises for the program's sake. Its
    output has every key cut to its prefix, and `hide` also base64-encoded (a manifest)."""
    command = shown(argv, pipe_to)
    started = time.monotonic()
    environment = {**os.environ, **(env or {})}
    code: int | None = None
    problem = ""
    with tempfile.TemporaryFile() as output:
        try:
            code = _spawn(argv, pipe_to, stdin, environment, output, timeout_s)
        except FileNotFoundError:
            problem = "could not start: the program is not installed, or not on PATH."
        except subprocess.TimeoutExpired:
            problem = f"did not finish within {timeout_s:g} s and was stopped."
        except OSError as error:
            problem = f"could not start: {error.strerror or error}."
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace")
    for encoded in _encodings(hide):
        text = text.replace(encoded, "(the key, base64-encoded)")
    text = redact(text)[-OUTPUT_LIMIT:].strip()
    if not problem and code != 0:
        problem = f"failed (exit {code})."
    ran = Ran(index, step, command, code, text, time.monotonic() - started, problem)
    log.info("command target %s%s%s", ran.summary(), f" {problem}" if problem else "",
             f"\n{text}" if text else "")
    return ran


def _spawn(argv: tuple[str, ...], pipe_to: tuple[str, ...], stdin: bytes | None, env: dict[str, str],
           output: IO[bytes], timeout_s: float) -> int:
    """The exit code of the last program; both programs write their output to `output`."""
    posix = os.name == "posix"
    # A new session: a timeout stops the program and whatever it started. The umask: what it
    # writes (a credential file) is the user's only.
    first = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE if pipe_to else output, stderr=output, env=env, close_fds=True,
                             start_new_session=posix, umask=0o077 if posix else -1)
    processes = [first]
    try:
        if pipe_to:
            assert first.stdout is not None
            processes.append(subprocess.Popen(pipe_to, stdin=first.stdout, stdout=output, stderr=output, env=env,
                                              close_fds=True, start_new_session=posix,
                                              umask=0o077 if posix else -1))
            first.stdout.close()  # the second program holds it now: the first sees EPIPE if it stops
        if stdin is not None and first.stdin is not None:
            try:
                first.stdin.write(stdin)
            except BrokenPipeError:
                pass  # it did not read: its exit code says why
            finally:
                try:
                    first.stdin.close()
                except BrokenPipeError:
                    pass
        deadline = time.monotonic() + timeout_s
        codes = [p.wait(timeout=max(0.0, deadline - time.monotonic())) for p in processes]
    except BaseException:
        for process in processes:
            _kill(process)
        raise
    return next((c for c in codes if c != 0), 0) if pipe_to else codes[-1]


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass
    process.wait()


def _encodings(secret: Secret | None) -> tuple[str, ...]:
    if secret is None:
        return ()
    raw = secret.reveal().encode()
    forms = (base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("="))
    return tuple(dict.fromkeys(forms))


def _tail(output: str, lines: int = 6) -> str:
    last = [line for line in output.splitlines() if line.strip()][-lines:]
    return (" Its output: " + " / ".join(last)) if last else ""


__all__ = ["CHECK_TIMEOUT_S", "OUTPUT_LIMIT", "CommandFailed", "Ran", "deliver", "preflight", "shown", "substitute",
           "version"]
