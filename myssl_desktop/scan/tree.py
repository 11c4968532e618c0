"""The working tree: every regular file under a folder, git-ignored ones too.

No symbolic link is followed, so nothing outside the chosen folders is read (a link to a
file inside them is read at its real place). `.git` folders are not read as files: their
repositories are collected for the history scan instead. Each file is read once into the
scan's buffer; a file larger than the size cap is skipped and counted. Directories are
walked depth-first with `os.scandir`, holding only the folders still to visit. The walk may
offer each file to be read elsewhere (`offer`, by a helper process: sharing.py); the files it
does not take are read here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .model import Hit
from .pattern import Found, ScanBuffer
from .progress import ProgressTracker

OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
              | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
FOLDER_FLAGS = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
                | getattr(os, "O_CLOEXEC", 0))
# Open files relative to their open folder (openat): the kernel looks up one name, not the
# whole path, and nothing swapped in above the folder while it is read can redirect a read.
RELATIVE_OPEN = os.open in os.supports_dir_fd and os.scandir in os.supports_fd
HAVE_READV = hasattr(os, "readv")
PAGE = 4096

Offer = Callable[[str, str], bool]  # offer(folder, name): True when the file is taken to be read elsewhere


def scan_tree(root: Path, buffer: ScanBuffer, tracker: ProgressTracker,
              repositories: list[Path], problems: list[str], offer: Offer | None = None) -> Iterator[Hit]:
    """Hits in every file under `root` (or in `root` itself, if it is a file), but those of
    the files `offer` took.

    Appends each repository found (a folder holding `.git`) to `repositories`, and a
    sentence for each folder that could not be listed to `problems`.
    """
    files = FileReader(buffer, tracker)
    if not root.is_dir():
        yield from hits_in(str(root.parent), root.name, files.read(str(root.parent), root.name, None))
        return
    folders = [str(root)]
    while folders:
        folder = folders.pop()
        try:
            folder_fd = os.open(folder, FOLDER_FLAGS) if RELATIVE_OPEN else None
        except OSError as error:
            problems.append(f"Could not read the folder {folder}: {error.strerror or error}.")
            continue
        try:
            with os.scandir(folder if folder_fd is None else folder_fd) as entries:
                for entry in entries:
                    name = entry.name
                    try:
                        if entry.is_file(follow_symlinks=False):
                            if name == ".git":  # a linked work tree or a submodule
                                repositories.append(Path(folder))
                            elif offer is None or not offer(folder, name):
                                found = files.read(folder, name, folder_fd)
                                if found:
                                    yield from hits_in(folder, name, found)
                        elif entry.is_dir(follow_symlinks=False):
                            if name == ".git":
                                repositories.append(Path(folder))
                            else:
                                folders.append(os.path.join(folder, name))
                    except OSError:  # vanished, or its type could not be read
                        tracker.skipped += 1
        except OSError as error:
            problems.append(f"Could not read the folder {folder}: {error.strerror or error}.")
        finally:
            if folder_fd is not None:
                os.close(folder_fd)


def hits_in(folder: str, name: str, found: Sequence[Found]) -> Iterator[Hit]:
    path = Path(folder, name)
    return (Hit(prefix=f.prefix, sha256=f.sha256, path=path, line=f.line) for f in found)


class FileReader:
    """Reads one file at a time into the scan's buffer. `read` runs once per file, so it is
    a plain method (not a generator) that does the least it can for a file without a key."""

    def __init__(self, buffer: ScanBuffer, tracker: ProgressTracker) -> None:
        self._buffer = buffer
        self._tracker = tracker
        self._cap = len(buffer.data) - 1
        self._whole = [buffer.data]

    def read_names(self, folder: str, names: Sequence[str]) -> list[tuple[str, Found]]:
        """The secrets in the files `names` of `folder`, read away from the walk that listed
        them (a batch): opened as the walk opens them, each name skipped if the folder went."""
        try:
            folder_fd = os.open(folder, FOLDER_FLAGS) if RELATIVE_OPEN else None
        except OSError:
            self._tracker.skipped += len(names)
            return []
        try:
            return [(name, found) for name in names for found in self.read(folder, name, folder_fd)]
        finally:
            if folder_fd is not None:
                os.close(folder_fd)

    def read(self, folder: str, name: str, folder_fd: int | None) -> list[Found]:
        """The secrets in one file (counted), or none when it holds none or was skipped."""
        tracker = self._tracker
        tracker.tick()
        try:
            if folder_fd is None:
                fd = os.open(os.path.join(folder, name), OPEN_FLAGS)
            else:
                fd = os.open(name, OPEN_FLAGS, dir_fd=folder_fd)
        except OSError:
            tracker.skipped += 1
            return []
        try:
            count = os.readv(fd, self._whole) if HAVE_READV else self._read_from(fd, 0)
            if count and count % PAGE == 0 and count <= self._cap:
                count = self._read_on(fd, count)
        except OSError:
            tracker.skipped += 1
            return []
        finally:
            os.close(fd)
        if count > self._cap:
            tracker.skipped += 1
            return []
        tracker.files += 1
        tracker.file_bytes += count
        found = self._buffer.secrets(count)
        if found:
            tracker.hits += len(found)
        return found

    def _read_on(self, fd: int, count: int) -> int:
        """One read() returns a whole regular file on local file systems; one that stopped on
        a page boundary may have been short (network file systems), so read on."""
        while count <= self._cap:
            more = self._read_from(fd, count)
            if not more:
                break
            count += more
        return count

    def _read_from(self, fd: int, start: int) -> int:
        view = self._buffer.view[start:]
        if HAVE_READV:
            return os.readv(fd, [view])
        with open(fd, "rb", buffering=0, closefd=False) as file:  # Windows has no readv
            return file.readinto(view) or 0
