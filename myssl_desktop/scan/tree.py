"""The working tree: every regular file under a folder, git-ignored ones too.

No symbolic link is followed, so nothing outside the chosen folders is read (a link to a
file inside them is read at its real place). `.git` folders are not read as files: their
repositories are collected for the history scan instead. Each file is read once into the
scan's buffer; a file larger than the size cap is skipped and counted. Directories are
walked depth-first with `os.scandir`, holding only the folders still to visit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .model import Hit
from .pattern import ScanBuffer
from .progress import ProgressTracker

OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
              | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
FOLDER_FLAGS = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
                | getattr(os, "O_CLOEXEC", 0))
# Open files relative to their open folder (openat): the kernel looks up one name, not the
# whole path, and nothing swapped in above the folder while it is read can redirect a read.
RELATIVE_OPEN = os.open in os.supports_dir_fd and os.scandir in os.supports_fd
PAGE = 4096


def _reader(buffer: ScanBuffer) -> Callable[[int], int]:
    """A function that reads an open file into the buffer and returns the bytes read.

    One read() returns a whole regular file on local file systems. A read that stops on a
    page boundary before the buffer is full may be short (network file systems), so only
    then is the file read on.
    """
    view, size = buffer.view, len(buffer.data)

    if hasattr(os, "readv"):
        whole = [buffer.data]

        def read_more(fd: int, start: int) -> int:
            return os.readv(fd, [view[start:]] if start else whole)
    else:  # Windows
        def read_more(fd: int, start: int) -> int:
            with open(fd, "rb", buffering=0, closefd=False) as file:
                return file.readinto(view[start:]) or 0

    def read(fd: int) -> int:
        count = read_more(fd, 0)
        while count and count % PAGE == 0 and count < size:
            more = read_more(fd, count)
            if not more:
                break
            count += more
        return count

    return read


def scan_tree(root: Path, buffer: ScanBuffer, tracker: ProgressTracker,
              repositories: list[Path], problems: list[str]) -> Iterator[Hit]:
    """Hits in every file under `root` (or in `root` itself, if it is a file).

    Appends each repository found (a folder holding `.git`) to `repositories`, and a
    sentence for each folder that could not be listed to `problems`.
    """
    read = _reader(buffer)
    cap = len(buffer.data) - 1
    if not root.is_dir():
        yield from _scan_file(str(root.parent), root.name, None, read, cap, buffer, tracker)
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
                            else:
                                yield from _scan_file(folder, name, folder_fd, read, cap, buffer, tracker)
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


def _scan_file(folder: str, name: str, folder_fd: int | None, read: Callable[[int], int], cap: int,
               buffer: ScanBuffer, tracker: ProgressTracker) -> Sequence[Hit]:
    """The hits in one file (a plain function, not a generator: it runs once per file)."""
    tracker.tick()
    try:
        if folder_fd is None:
            fd = os.open(os.path.join(folder, name), OPEN_FLAGS)
        else:
            fd = os.open(name, OPEN_FLAGS, dir_fd=folder_fd)
    except OSError:
        tracker.skipped += 1
        return ()
    try:
        count = read(fd)
    except OSError:
        tracker.skipped += 1
        return ()
    finally:
        os.close(fd)
    if count > cap:
        tracker.skipped += 1
        return ()
    tracker.files += 1
    tracker.file_bytes += count
    found = buffer.secrets(count)
    if not found:
        return ()
    tracker.hits += len(found)
    path = Path(folder, name)
    return [Hit(prefix=f.prefix, sha256=f.sha256, path=path, line=f.line) for f in found]
