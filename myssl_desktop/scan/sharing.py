"""Sharing a working-tree scan's files with a helper process on a spare core.

The scan's own thread keeps walking and reading. Once the scan has run START_AFTER
seconds (so a small scan never pays for a process start), and only while a core is idle
(else it looks again every BUSY_RETRY: on a busy machine a helper slowed the scan down),
one helper process is started (helper.py). From then on the walk offers each file (`take`): while the helper has fewer
than MAX_OUTSTANDING batches, files are gathered into a batch for it; otherwise the walk
reads them itself. So neither side waits for the other, and a slow or busy helper simply
gets less. Answers are read without blocking. If the helper fails (cannot start, dies,
answers nonsense), it is killed and the scan reads the batches it had, and every later
file, itself: nothing is missed. A process, not a thread: two threads hand the GIL over at
every open and read. Started with subprocess (fork and exec), never a bare fork: the app
scans on a worker thread of a Qt process.

POSIX only (non-blocking pipe reads). In the frozen bundle, which has no Python to start a
module with, the helper is the bundle's `myssl-keys` with HELPER_FLAG (its launcher hands
that to helper.py before loading the command line).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections import deque

from .batches import ANSWER_HEADER, BadAnswer, Batch, answer_length, decode_answer, encode_batch
from .model import Hit
from .pattern import NEEDLE, ScanBuffer
from .progress import ProgressTracker
from .tree import FileReader, hits_in

HELPER_FLAG = "--scan-helper"  # the frozen `myssl-keys` runs helper.py with the arguments after it

START_AFTER = 0.03  # seconds of scanning before a helper is worth its start
BUSY_RETRY = 0.1  # seconds before looking for an idle core again
BATCH_FILES = 48  # files in one batch: enough to make a message cheap, few enough to share well
MAX_OUTSTANDING = 2  # batches at the helper: one it reads, one waiting
POLL_EVERY = 8  # files the walk reads itself between two looks for answers
WAIT = 0.005  # seconds between two cancel checks while waiting for the last answers


def spare_cores() -> bool:
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # macOS
        return (os.cpu_count() or 1) > 1


def idle_core() -> bool:
    """Whether a core is idle right now: fewer tasks want to run than there are cores
    (Linux: /proc/loadavg, which counts this thread too). True where that is unknown."""
    try:
        with open("/proc/loadavg", "rb") as loadavg:
            running = int(loadavg.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return True
    return running < (os.cpu_count() or 1)


def helper_command(max_file_size: int) -> list[str] | None:
    """How to start the helper here, or None where it cannot run (see the module's text)."""
    if os.name != "posix":
        return None
    if not getattr(sys, "frozen", False):
        # -P: not the working folder first on its path, which may be the folder scanned, whose
        # struct.py or myssl_desktop/ would otherwise be imported and run.
        return [sys.executable, "-P", "-m", "myssl_desktop.scan.helper", str(max_file_size)]
    keys = os.path.join(os.path.dirname(sys.executable), "myssl-keys")  # beside myssl-desktop, or itself
    return [keys, HELPER_FLAG, str(max_file_size)] if os.path.isfile(keys) else None


class FileSharing:
    """The files of one scan shared with one helper. Call `take` for each file the walk
    finds, `finish` after the walk for the helper's hits, and `close` in any case."""

    def __init__(self, command: list[str], buffer: ScanBuffer, tracker: ProgressTracker,
                 at_once: bool = False) -> None:
        """`at_once`: start the helper at the first file, idle core or not (tests)."""
        self._command = command
        self._at_once = at_once
        self._reader = FileReader(buffer, tracker)
        self._tracker = tracker
        self._start_at = time.monotonic() + (0 if at_once else START_AFTER)
        self._helper: subprocess.Popen[bytes] | None = None
        self._failed = False
        self._taking = False
        self._countdown = 0
        self._pending: Batch = []
        self._pending_files = 0
        self._outstanding: deque[Batch] = deque()
        self._received = bytearray()
        self._hits: list[Hit] = []
        self.answered = 0  # files the helper read or skipped

    @property
    def helper_pid(self) -> int | None:
        return self._helper.pid if self._helper is not None else None

    def take(self, folder: str, name: str) -> bool:
        """True when the file goes to the helper (or has been read here after it failed);
        False when the walk should read it itself."""
        if not self._taking:
            self._countdown -= 1
            if self._countdown > 0:
                return False
            self._countdown = POLL_EVERY
            self._look()
            if not self._taking:
                return False
        pending = self._pending
        if pending and pending[-1][0] == folder:
            pending[-1][1].append(name)
        else:
            pending.append((folder, [name]))
        self._pending_files += 1
        if self._pending_files >= BATCH_FILES:
            self._send()
        return True

    def finish(self) -> list[Hit]:
        """After the walk: reads the batch not sent yet here, waits for the helper's last
        answers, and returns every hit of the files taken."""
        self._read_here([self._pending])
        self._pending, self._pending_files = [], 0
        if self._helper is not None and not self.answered:
            self._fail()  # still starting (about 40 ms): reading its batches here is quicker
        while self._outstanding and self._helper is not None and self._helper.stdout is not None:
            select.select([self._helper.stdout.fileno()], [], [], WAIT)
            self._tracker.checkpoint()
            self._receive()
        self.close()
        return self._hits

    def close(self) -> None:
        """Ends the helper at once (kill: it holds nothing worth saving). Idempotent."""
        helper, self._helper, self._taking = self._helper, None, False
        if helper is not None:
            helper.kill()
            helper.wait()
            for pipe in (helper.stdin, helper.stdout):
                if pipe is not None:
                    pipe.close()

    def _look(self) -> None:
        """Starts the helper when due, takes in its answers, and decides whether to gather."""
        if self._helper is None:
            if self._failed or time.monotonic() < self._start_at:
                return
            if not self._at_once and not idle_core():
                self._start_at = time.monotonic() + BUSY_RETRY
                return
            self._start()
        else:
            self._receive()
        self._taking = self._helper is not None and len(self._outstanding) < MAX_OUTSTANDING

    def _start(self) -> None:
        # Not a key in its environment (MYSSL_API_KEY of a CI run): it reads files, nothing else.
        environment = {name: value for name, value in os.environ.items() if NEEDLE.decode() not in value}
        try:
            self._helper = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL, bufsize=0, env=environment)
        except OSError:
            self._failed = True
            return
        assert self._helper.stdout is not None and self._helper.stdin is not None
        os.set_blocking(self._helper.stdout.fileno(), False)
        os.set_blocking(self._helper.stdin.fileno(), False)  # see _send

    def _send(self) -> None:
        batch, self._pending, self._pending_files = self._pending, [], 0
        self._outstanding.append(batch)
        message = memoryview(encode_batch(batch))
        while message:
            helper = self._helper
            if helper is None or helper.stdin is None or helper.stdout is None:
                return  # it failed meanwhile: its batches, this one too, were read here
            try:
                message = message[os.write(helper.stdin.fileno(), message):]
            except BlockingIOError:
                # Its pipe is full: the helper may be waiting for us to read a long answer (many
                # hits), so read answers while waiting for room; and a cancel still stops the scan.
                readable, _, _ = select.select([helper.stdout.fileno()], [helper.stdin.fileno()], [], WAIT)
                self._tracker.checkpoint()
                if readable:
                    self._receive()
            except OSError:
                self._fail()
                return
        self._taking = len(self._outstanding) < MAX_OUTSTANDING

    def _receive(self) -> None:
        assert self._helper is not None and self._helper.stdout is not None
        try:
            data = os.read(self._helper.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the helper ended
            self._fail()
            return
        received = self._received
        received += data
        size = ANSWER_HEADER.size
        while len(received) >= size and self._outstanding:
            batch = self._outstanding[0]
            try:
                end = size + answer_length(bytes(received[:size]), batch)
                if len(received) < end:
                    break
                answer = decode_answer(bytes(received[:size]), bytes(received[size:end]), batch)
            except BadAnswer:
                self._fail()
                return
            del received[:end]
            self._outstanding.popleft()
            self.answered += answer.files + answer.skipped
            tracker = self._tracker
            tracker.files += answer.files
            tracker.skipped += answer.skipped
            tracker.file_bytes += answer.file_bytes
            tracker.hits += len(answer.hits)
            for index, name, found in answer.hits:
                self._hits.extend(hits_in(batch[index][0], name, [found]))
        if received and not self._outstanding:
            self._fail()  # more than was asked for

    def _fail(self) -> None:
        """The helper is gone, not to be trusted or not worth waiting for: end it, and read
        all it had here."""
        self._failed = True
        self.close()
        self._received.clear()
        batches, self._outstanding = [*self._outstanding, self._pending], deque()
        self._pending, self._pending_files = [], 0
        self._read_here(batches)

    def _read_here(self, batches: list[Batch]) -> None:
        for batch in batches:
            for folder, names in batch:
                for name, found in self._reader.read_names(folder, names):
                    self._hits.extend(hits_in(folder, name, [found]))
