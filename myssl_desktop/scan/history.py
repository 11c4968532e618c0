"""Every commit of a git repository, read as gitleaks and trufflehog do.

1. `git rev-list --objects --all` piped into `git cat-file --batch`: each distinct file
   content (blob) of every commit on every ref is read once, into the scan's buffer.
   Blobs the object store lacks (a partial clone, a damaged copy) are passed over, never
   downloaded.
2. Only for the blobs that hold a secret, one `git log --all --raw` pass finds the commits
   that put that secret at a path (a commit whose parent already had it there is skipped).
3. `git rev-list --remotes` says which of those commits a remote-tracking branch contains.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from ..redaction import redact
from .model import Hit
from .pattern import Found, ScanBuffer
from .progress import ProgressTracker

PIPE_BUFFER = 1 << 20
# Set in a git hook or by a wrapper, these would point every git below at another repository
# (`git rev-parse --local-env-vars` lists them).
REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_IMPLICIT_WORK_TREE", "GIT_PREFIX",
                        "GIT_SHALLOW_FILE", "GIT_GRAFT_FILE")


class HistoryError(Exception):
    """git could not read this repository's history; the message carries git's words."""


def work_tree_of(path: Path) -> Path | None:
    """The top of the git work tree that holds `path`, if any."""
    folder = path if path.is_dir() else path.parent
    result = subprocess.run(_git(folder, "rev-parse", "--show-toplevel"), capture_output=True, text=True,
                            env=_environment())
    top = result.stdout.strip()
    return Path(top).resolve() if result.returncode == 0 and top else None


def object_store_of(repository: Path) -> Path | None:
    """The repository's common git folder: linked work trees share it, so it identifies a history."""
    result = subprocess.run(_git(repository, "rev-parse", "--git-common-dir"), capture_output=True, text=True,
                            env=_environment())
    common = result.stdout.strip()
    return (repository / common).resolve() if result.returncode == 0 and common else None


def scan_history(repository: Path, buffer: ScanBuffer, tracker: ProgressTracker) -> Iterator[Hit]:
    """Hits in every commit reachable from any ref of the repository at `repository`."""
    blobs = _blobs_with_secrets(repository, buffer, tracker)
    if not blobs:
        return
    tracker.report()  # every file version is read: show the final counts before the commits are looked up
    added = list(_additions(repository, blobs, tracker))
    pushed = _pushed(repository, {commit for commit, _, _ in added}, tracker)
    for commit, path, found in added:
        tracker.hits += 1
        yield Hit(prefix=found.prefix, sha256=found.sha256, path=repository / path, line=found.line,
                  commit=commit, pushed=commit in pushed, repository=repository)


def _git(repository: Path, *args: str) -> list[str]:
    return ["git", "-C", str(repository), *args]


def _environment() -> dict[str, str]:
    kept = {name: value for name, value in os.environ.items() if name not in REPOSITORY_VARIABLES}
    return {**kept, "GIT_NO_LAZY_FETCH": "1"}  # git 2.44+: never download what a partial clone lacks


class _Processes:
    """Child processes that are ended, whatever happens, when the block is left."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._children: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def __enter__(self) -> _Processes:
        return self

    def start(self, argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        errors = self._stack.enter_context(tempfile.TemporaryFile())
        child = subprocess.Popen(argv, stderr=errors, env=_environment(), **kwargs)  # type: ignore[call-overload]
        self._children.append((child, errors))
        return child  # type: ignore[no-any-return]

    def check(self, what: str) -> None:
        """Wait for every child; raise HistoryError with git's message when one failed. The
        last started is asked first: when the reader of a pipe fails, the writer only dies of
        the closed pipe, and the reader's message is the one that says why."""
        for child, errors in reversed(self._children):
            if child.wait() != 0:
                errors.seek(0)
                message = redact(errors.read().decode("utf-8", "replace").strip())
                raise HistoryError(f"git could not {what}: {message or f'exit code {child.returncode}'}")

    def __exit__(self, *exc: object) -> None:
        for child, _ in self._children:
            if child.poll() is None:
                child.kill()
            for stream in (child.stdin, child.stdout):
                if stream is not None:
                    stream.close()
            child.wait()
        self._stack.close()


def _blobs_with_secrets(repository: Path, buffer: ScanBuffer,
                        tracker: ProgressTracker) -> dict[str, list[Found]]:
    """Blob id -> the secrets in it, for the blobs of all commits that hold any."""
    cap = len(buffer.data) - 1
    hits: dict[str, list[Found]] = {}
    with _Processes() as processes:
        objects = processes.start(_git(repository, "rev-list", "--objects", "--all", "--no-object-names",
                                       "--filter=object:type=blob", "--missing=allow-any"),
                                  stdout=subprocess.PIPE)
        contents = processes.start(_git(repository, "cat-file", "--batch"), stdin=objects.stdout,
                                   stdout=subprocess.PIPE, bufsize=PIPE_BUFFER)
        assert objects.stdout is not None and contents.stdout is not None
        objects.stdout.close()  # cat-file holds it now; rev-list sees a closed pipe if cat-file dies
        output = contents.stdout
        while header := output.readline():
            name, kind, size_text = (header.split() + [b"", b""])[:3]
            if kind == b"missing":
                tracker.skipped += 1
                continue
            size = int(size_text)
            tracker.tick()
            if kind != b"blob" or size > cap:  # commits (rev-list lists them too), oversized blobs
                _discard(output, size + 1, buffer)
                if kind == b"blob":
                    tracker.skipped += 1
                continue
            _read_into(output, buffer.view[:size])
            output.read(1)  # the newline after each object
            tracker.blobs += 1
            tracker.blob_bytes += size
            found = buffer.secrets(size)
            if found:
                hits[name.decode("ascii")] = found
        processes.check(f"read the history of {repository}")
    return hits


def _read_into(stream: IO[bytes], target: memoryview) -> None:
    done = 0
    while done < len(target):
        count = stream.readinto(target[done:])  # type: ignore[attr-defined]
        if not count:
            raise HistoryError("git cat-file stopped in the middle of an object")
        done += count


def _discard(stream: IO[bytes], count: int, buffer: ScanBuffer) -> None:
    while count > 0:
        chunk = min(count, len(buffer.view))
        _read_into(stream, buffer.view[:chunk])
        count -= chunk


def _additions(repository: Path, blobs: dict[str, list[Found]],
               tracker: ProgressTracker) -> Iterator[tuple[str, str, Found]]:
    """(commit, path, secret) for each commit that put a secret of `blobs` at a path.

    `--raw -c` lists, per commit, each path whose blob differs from every parent (for a
    merge, only what the merge itself changed), with the parents' blobs. A secret that a
    parent's blob at that path already held was not added by this commit. The walk can take
    seconds on a large history: a cancel is honoured between commits.
    """
    tracker.checkpoint()
    with _Processes() as processes:
        log = processes.start(_git(repository, "log", "--all", "--raw", "-c", "-z", "--no-abbrev", "--no-renames",
                                   "--format=commit %H"), stdout=subprocess.PIPE, bufsize=PIPE_BUFFER)
        assert log.stdout is not None
        commit, meta = "", b""
        for token in _split_nul(log.stdout):
            token = token.lstrip(b"\n")
            if meta:  # the path of the raw line before
                yield from _added(commit, meta, os.fsdecode(token), blobs)
                meta = b""
            elif token.startswith(b"commit "):
                commit = token[7:].decode("ascii")
                tracker.tick()
            elif token.startswith(b":"):
                meta = token
        processes.check(f"list the commits of {repository}")


def _added(commit: str, meta: bytes, path: str,
           blobs: dict[str, list[Found]]) -> Iterator[tuple[str, str, Found]]:
    """One raw line, `:mode mode sha sha status` or, for merges, `::mode mode mode sha sha sha status`."""
    parents = len(meta) - len(meta.lstrip(b":"))
    fields = meta[parents:].split()
    ids = [f.decode("ascii") for f in fields[parents + 1:2 * parents + 2]]
    found = blobs.get(ids[-1])
    if not found:
        return
    before = {f.sha256 for parent_blob in ids[:-1] for f in blobs.get(parent_blob, ())}
    for secret in found:
        if secret.sha256 not in before:
            yield commit, path, secret


def _split_nul(stream: IO[bytes]) -> Iterator[bytes]:
    rest = b""
    while chunk := stream.read(1 << 16):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def _pushed(repository: Path, commits: set[str], tracker: ProgressTracker) -> set[str]:
    """Those of `commits` that a remote-tracking branch contains (stops once all are seen)."""
    seen: set[str] = set()
    with _Processes() as processes:
        remote = processes.start(_git(repository, "rev-list", "--remotes"), stdout=subprocess.PIPE,
                                 bufsize=PIPE_BUFFER)
        assert remote.stdout is not None
        for line in remote.stdout:
            tracker.tick()
            commit = line.strip().decode("ascii")
            if commit in commits:
                seen.add(commit)
                if seen == commits:
                    return seen  # the rest of the walk is not needed; leaving kills it
        processes.check(f"list the pushed commits of {repository}")
    return seen
