"""A working-tree scan shared with a helper process: the same report as one process alone,
progress that counts the helper's files, cancel and a dying helper handled, no secret on
its pipes. Real helper processes throughout; the large tree is hard links to one file, so
it is cheap to make yet long enough to scan for progress reports to arrive mid-scan."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from myssl_desktop.scan import Hit, ScanCancelled, ScanProgress, ScanReport, scan
from myssl_desktop.scan.batches import BadAnswer, decode_answer, encode_answer, encode_batch
from myssl_desktop.scan.pattern import Found, ScanBuffer
from myssl_desktop.scan.progress import ProgressTracker
from myssl_desktop.scan.sharing import HELPER_FLAG, FileSharing, helper_command
from myssl_desktop.scan.tree import scan_tree
from tests.scan.files import write
from tests.support import random_secret

pytestmark = pytest.mark.skipif(helper_command(1) is None, reason="no helper process on this platform")

CAP = 256 * 1024
FOLDERS, FILES_PER_FOLDER = 40, 400  # 16,000 links to a 128 KB file: about 2 GB read per scan


@dataclass(frozen=True)
class Tree:
    root: Path
    keys: dict[str, Path]  # secret -> the file it was planted in
    alone: ScanReport  # the scan without a helper


def _planted(tree: Tree) -> set[tuple[str, str, int]]:
    return {(str(path), key[:12], 2) for key, path in tree.keys.items()}


def _found(hits: tuple[Hit, ...] | list[Hit]) -> set[tuple[str, str, int]]:
    return {(str(h.path), h.prefix, h.line) for h in hits}


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    root = tmp_path_factory.mktemp("large")
    filler = write(root / "filler.py", ("def double(x):\n    return 2 * x  # nothing to see\n" * 3000)[:128 * 1024])
    for folder in range(FOLDERS):
        (root / f"pkg{folder}").mkdir()
        for index in range(FILES_PER_FOLDER):
            os.link(filler, root / f"pkg{folder}" / f"mod{index}.py")
    keys = {}
    for folder, index in [(0, 0), (0, 399), (13, 7), (20, 200), (39, 398)]:
        key = random_secret()
        keys[key] = write(root / f"pkg{folder}" / f"k{index}.env", f"# planted\nMYSSL_API_KEY={key}\n")
    write(root / "pkg5" / "dump.sql", "x" * (CAP + 1))  # over the cap: skipped
    key = random_secret()
    write(root / ".git" / "config", key)  # left to the history scan
    write(root / "outside" / "real.cfg", f"\n{key}\n")
    (root / "pkg9" / "link.cfg").symlink_to(root / "outside" / "real.cfg")  # read once, at its real place
    keys[key] = root / "outside" / "real.cfg"
    tree = Tree(root=root, keys=keys, alone=scan([root], max_file_size=CAP, parallel=False))
    assert _found(tree.alone.hits) == _planted(tree)
    return tree


def _helpers() -> list[int]:
    """The helper processes this test process started (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"myssl_desktop.scan.helper" in command:
            found.append(int(entry.name))
    return found


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def _shared(root: Path, command: list[str]) -> tuple[list[Hit], ScanProgress, FileSharing]:
    """A walk of `root` sharing its files with `command`'s process, started at once (as scan() does)."""
    buffer, tracker = ScanBuffer(CAP + 1), ProgressTracker(None, None)
    sharing = FileSharing(command, buffer, tracker, at_once=True)
    try:
        hits = [*scan_tree(root, buffer, tracker, [], [], sharing.take), *sharing.finish()]
    finally:
        sharing.close()
    return hits, tracker.snapshot(), sharing


def test_the_helper_reads_part_of_the_tree_and_the_report_is_the_same(large: Tree) -> None:
    hits, progress, sharing = _shared(large.root, helper_command(CAP) or [])
    assert sharing.answered >= 2 * 48  # the first two batches went to it before anything was read here
    assert _found(hits) == _planted(large)
    assert progress == replace(large.alone.progress, phase="files")

    report = scan([large.root], max_file_size=CAP, parallel=True)
    assert report == large.alone  # hits in the same order, the same counts, problems and roots
    assert _helpers() == []


def test_progress_counts_the_helpers_files(large: Tree) -> None:
    reports: list[ScanProgress] = []
    report = scan([large.root], max_file_size=CAP, parallel=True, on_progress=reports.append)
    assert reports[-1] == report.progress == large.alone.progress
    assert len(reports) > 2  # some reports mid-scan
    for earlier, later in zip(reports, reports[1:], strict=False):
        assert later.files >= earlier.files and later.file_bytes >= earlier.file_bytes


def test_cancel_ends_the_helper(large: Tree) -> None:
    cancel = threading.Event()
    seen: list[int] = []

    def on_progress(progress: ScanProgress) -> None:
        if progress.files and not seen:  # mid-scan, the helper at work
            seen.extend(_helpers())
            cancel.set()

    with pytest.raises(ScanCancelled) as stopped:
        scan([large.root], max_file_size=CAP, parallel=True, on_progress=on_progress, cancel=cancel)
    assert len(seen) == 1 and _gone(seen[0])
    assert stopped.value.progress.files < large.alone.progress.files


def test_the_helper_gets_no_key_in_its_environment(large: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    key = random_secret()
    monkeypatch.setenv("MYSSL_API_KEY", key)  # a CI run's ephemeral profile
    monkeypatch.setenv("DEPLOY_NOTE", f"old key was {key}")
    environments: list[bytes] = []

    def on_progress(progress: ScanProgress) -> None:
        if progress.files and not environments:
            environments.extend(Path(f"/proc/{pid}/environ").read_bytes() for pid in _helpers())

    scan([large.root], max_file_size=CAP, parallel=True, on_progress=on_progress)
    assert len(environments) == 1 and b"PATH=" in environments[0]
    assert b"myssl_k_" not in environments[0] and b"MYSSL_API_KEY" not in environments[0]


def test_a_helper_killed_mid_scan_misses_nothing(large: Tree) -> None:
    killed: list[int] = []

    def on_progress(progress: ScanProgress) -> None:
        if progress.files and not killed:
            killed.extend(_helpers())
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    report = scan([large.root], max_file_size=CAP, parallel=True, on_progress=on_progress)
    assert len(killed) == 1 and _gone(killed[0])
    assert report == large.alone


@pytest.mark.parametrize("command", [
    [sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'x' * 64); sys.stdout.flush(); sys.stdin.read()"],
    [sys.executable, "-c", "import sys; sys.stdin.buffer.read(10)"],  # ends with batches outstanding
    ["/nonexistent/myssl-scan-helper"],  # cannot start
], ids=["nonsense", "ends", "missing"])
def test_a_failing_helper_leaves_its_files_to_the_scan(tmp_path: Path, command: list[str]) -> None:
    keys = {}
    for index in range(300):
        key = random_secret() if index % 50 == 7 else None
        path = write(tmp_path / f"d{index % 4}" / f"f{index}.txt", f"x = 1\n{key or 'nothing'}\n")
        if key:
            keys[key] = path
    alone = scan([tmp_path], max_file_size=CAP, parallel=False)

    hits, progress, sharing = _shared(tmp_path, command)

    assert sharing.answered == 0
    assert _found(hits) == {(str(path), key[:12], 2) for key, path in keys.items()} == _found(alone.hits)
    assert progress == replace(alone.progress, phase="files")


def test_only_paths_and_prefixes_cross_the_pipes(tmp_path: Path) -> None:
    key = random_secret()
    write(tmp_path / "app" / ".env", f"A=1\nMYSSL_API_KEY={key}\n")
    write(tmp_path / "app" / "main.py", "print('hello')\n")
    sent = encode_batch([(str(tmp_path / "app"), [".env", "main.py", "gone.txt"])])

    answer = subprocess.run(helper_command(CAP) or [], input=sent, capture_output=True, timeout=60).stdout

    assert key.encode() not in sent and key.encode() not in answer
    assert key[:12].encode() in answer and hashlib.sha256(key.encode()).hexdigest().encode() in answer
    assert answer == encode_answer(2, 1, len(f"A=1\nMYSSL_API_KEY={key}\n") + 15, [
        (0, ".env", Found(prefix=key[:12], sha256=hashlib.sha256(key.encode()).hexdigest(), line=2))])


def test_an_answer_with_more_than_a_prefix_is_refused() -> None:
    key = random_secret()
    batch = [("/srv/app", [".env"])]
    leaking = encode_answer(1, 0, 100, [(0, ".env", Found(prefix=key, sha256="0" * 64, line=1))])
    with pytest.raises(BadAnswer):
        decode_answer(leaking[:20], leaking[20:], batch)
    other_file = encode_answer(1, 0, 100, [(0, "other.env", Found(prefix=key[:12], sha256="0" * 64, line=1))])
    with pytest.raises(BadAnswer):
        decode_answer(other_file[:20], other_file[20:], batch)


def test_a_frozen_bundle_starts_its_myssl_keys_as_the_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = tmp_path / "opt" / "myssl-desktop"
    app.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app / "myssl-desktop"))
    assert helper_command(CAP) is None, "no myssl-keys beside it: scan on one core"
    (app / "myssl-keys").write_text("")
    assert helper_command(CAP) == [str(app / "myssl-keys"), HELPER_FLAG, str(CAP)]


@pytest.mark.timeout(60)  # a deadlock fails here, not at the suite's limit
def test_long_answers_and_long_batches_do_not_deadlock(tmp_path: Path) -> None:
    # Each batch is longer than a pipe holds (folders ~1.5 KB deep), and each answer too (50
    # hits a file): both sides write at once, and the scan must read while it waits to write.
    deep = tmp_path.joinpath(*(letter * 250 for letter in "abcdef"))
    keys = {}
    for index in range(150):
        lines = [random_secret() for _ in range(50)]
        write(deep / f"f{index:03d}" / "k.txt", "\n".join(lines) + "\n")
        keys.update({key: index for key in lines})
    alone = scan([tmp_path], max_file_size=CAP, parallel=False)

    hits, progress, sharing = _shared(tmp_path, helper_command(CAP) or [])

    assert sharing.answered > 0
    assert len(hits) == len(keys) == len(alone.hits) == 7500
    assert progress == replace(alone.progress, phase="files")


def test_the_helper_runs_no_code_from_the_folder_it_starts_in(tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    write(tmp_path / "scanned" / "struct.py", f"open({str(ran)!r}, 'w').write('imported from the scanned folder')\n")
    write(tmp_path / "scanned" / "myssl_desktop" / "__init__.py", f"open({str(ran)!r}, 'w').write('ours, replaced')\n")
    key = random_secret()
    write(tmp_path / "scanned" / "app" / ".env", f"A=1\nMYSSL_API_KEY={key}\n")
    sent = encode_batch([(str(tmp_path / "scanned" / "app"), [".env"])])

    # Started in the folder scanned, as by `myssl-keys scan .` there.
    answer = subprocess.run(helper_command(CAP) or [], input=sent, capture_output=True, timeout=60,
                            cwd=tmp_path / "scanned").stdout

    assert not ran.exists()
    assert key[:12].encode() in answer
