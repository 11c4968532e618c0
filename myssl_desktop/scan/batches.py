"""What crosses the pipes between a scan and its helper process: batches of files one way,
their counts and hits the other. Never a secret: a hit is a prefix, a SHA-256 and a line.

A batch is a few dozen files, grouped by folder: its length (4 bytes, little-endian), then
`folder NUL name NUL name … NUL NUL folder NUL name …` (no path holds a NUL, no name is empty).
An answer is files read, files skipped, bytes read and the length of the rest (struct
`<IIQI`), then five NUL-separated fields per hit: the index of its folder in the batch, the
file's name, the prefix, the SHA-256 and the line. Decoding an answer checks every field, so
nothing but a prefix of 12 characters and a hash can pass for a hit.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from .pattern import PREFIX_LENGTH, Found

Batch = list[tuple[str, list[str]]]  # (folder, names of files in it)
BATCH_HEADER = struct.Struct("<I")
ANSWER_HEADER = struct.Struct("<IIQI")
_PREFIX = re.compile(rb"myssl_k_[a-z0-9]{%d}" % (PREFIX_LENGTH - len("myssl_k_")))
_SHA256 = re.compile(rb"[0-9a-f]{64}")


class BadAnswer(ValueError):
    """The helper answered something that is not an answer to the batch it was sent."""


@dataclass(frozen=True)
class Answer:
    files: int
    skipped: int
    file_bytes: int
    hits: list[tuple[int, str, Found]]  # (index of the folder in the batch, file name, what was found)


def encode_batch(batch: Batch) -> bytes:
    payload = b"\0\0".join(b"\0".join([os.fsencode(folder), *map(os.fsencode, names)]) for folder, names in batch)
    return BATCH_HEADER.pack(len(payload)) + payload


def decode_batch(payload: bytes) -> Batch:
    batch = []
    for group in payload.split(b"\0\0"):
        folder, *names = group.split(b"\0")
        batch.append((os.fsdecode(folder), [os.fsdecode(name) for name in names]))
    return batch


def encode_answer(files: int, skipped: int, file_bytes: int, hits: Sequence[tuple[int, str, Found]]) -> bytes:
    fields = []
    for index, name, found in hits:
        fields += [b"%d" % index, os.fsencode(name), found.prefix.encode("ascii"), found.sha256.encode("ascii"),
                   b"%d" % found.line]
    payload = b"\0".join(fields)
    return ANSWER_HEADER.pack(files, skipped, file_bytes, len(payload)) + payload


def answer_length(header: bytes, batch: Batch) -> int:
    """How many bytes follow the header of the answer to `batch`; raises BadAnswer when the
    header cannot be that answer's (checked first, so nonsense is never waited for)."""
    files, skipped, _, length = ANSWER_HEADER.unpack(header)
    sent = sum(len(names) for _, names in batch)
    if files + skipped != sent:
        raise BadAnswer(f"{files} files read and {skipped} skipped of {sent} sent")
    return int(length)


def decode_answer(header: bytes, payload: bytes, batch: Batch) -> Answer:
    """The answer to `batch` (its header passed answer_length); raises BadAnswer for anything else."""
    files, skipped, file_bytes, _ = ANSWER_HEADER.unpack(header)
    fields = payload.split(b"\0") if payload else []
    if len(fields) % 5:
        raise BadAnswer("a hit with missing fields")
    hits = []
    for at in range(0, len(fields), 5):
        index, name, prefix, sha256, line = fields[at:at + 5]
        if not (index.isdigit() and int(index) < len(batch) and os.fsdecode(name) in batch[int(index)][1]
                and _PREFIX.fullmatch(prefix) and _SHA256.fullmatch(sha256) and line.isdigit() and int(line) > 0):
            raise BadAnswer("a hit that is not a prefix, a hash and a line of a file sent")
        hits.append((int(index), os.fsdecode(name), Found(prefix=prefix.decode("ascii"),
                                                           sha256=sha256.decode("ascii"), line=int(line))))
    return Answer(files=files, skipped=skipped, file_bytes=file_bytes, hits=hits)
