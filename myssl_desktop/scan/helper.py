"""The helper process of a working-tree scan, on a spare core (started by sharing.py).

    python -P -m myssl_desktop.scan.helper MAX_FILE_SIZE

Reads batches of files from stdin, reads each file as the scan itself would (tree.py's
FileReader: the same flags, the same size cap) and answers each batch on stdout with its
counts and hits: prefixes, SHA-256s and lines, never a secret (batches.py). Paths come on
the pipe, never in argv. Ends when stdin ends.
"""

from __future__ import annotations

import sys

from .batches import BATCH_HEADER, decode_batch, encode_answer
from .pattern import ScanBuffer
from .progress import ProgressTracker
from .tree import FileReader


def main(argv: list[str] | None = None) -> int:
    [max_file_size] = sys.argv[1:] if argv is None else argv
    tracker = ProgressTracker(None, None)
    reader = FileReader(ScanBuffer(int(max_file_size) + 1), tracker)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = stdin.read(BATCH_HEADER.size)
        if len(header) < BATCH_HEADER.size:
            return 0
        [length] = BATCH_HEADER.unpack(header)
        batch = decode_batch(stdin.read(length))
        files, skipped, file_bytes = tracker.files, tracker.skipped, tracker.file_bytes
        hits = [(index, name, found) for index, (folder, names) in enumerate(batch)
                for name, found in reader.read_names(folder, names)]
        stdout.write(encode_answer(tracker.files - files, tracker.skipped - skipped,
                                   tracker.file_bytes - file_bytes, hits))
        stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
