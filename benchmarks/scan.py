"""The key scan against ripgrep and `git log -p | rg`, measured in the same run, warm cache.

    .venv/bin/python benchmarks/scan.py --source-repo REPO... --history-repo REPO [--work DIR]

Working tree: `scan()` (what the app calls) and the `myssl-keys scan` process, against
`rg -uu myssl_k_`, on a tree of at least `--size-gb` of real source code: revisions of the
`--source-repo` repositories exported with `git archive` (HEAD, then tags spread over their
history), or, without any, copies of this venv's site-packages. A few generated keys are
planted; every tool must find all of them. Goal: at most 1.5x ripgrep's time.

History: `scan(..., history=True)` of a clone of `--history-repo` (with a few planted
commits: a key added and removed, a key on a branch) against `git log -p --all | rg
myssl_k_` over the same clone. Goal: at most 1.5x.

Memory: peak RSS of a fresh process scanning half of the tree, then all of it, and of its
helper process. Goal: flat.

Every timing is taken `--runs` times, in turns with its baseline (the machine is shared),
after one warm-up of each; medians, ranges and the ratio of medians are printed, with the
CPU time each used (less disturbed by other load than wall time). Both sides use up to two
cores: ripgrep its threads, the scan a helper process on a spare core; `rg -j1` and
`scan(parallel=False)` show each on one core. Trees are
built under `--work` (default /tmp/myssl-scan-bench, reused by later runs), never in the repo.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from myssl_desktop.scan import scan

GB = 1_000_000_000
TAG_STEP = 8  # export every 8th tag, newest first, so the versions differ more
PLANTED = 5


def secret() -> str:
    from secrets import choice
    from string import ascii_lowercase, digits

    return "myssl_k_" + "".join(choice(ascii_lowercase + digits) for _ in range(40))


def run(*argv: str, cwd: Path | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
    return subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True, text=True,
                          **kwargs)  # type: ignore[call-overload, no-any-return]


def tree_size(root: Path) -> tuple[int, int]:
    files = size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


# --- building the trees ------------------------------------------------------------------

def revisions(repo: Path) -> Iterator[str]:
    yield "HEAD"
    tags = run("git", "-C", str(repo), "tag", "--sort=-creatordate").stdout.split()
    yield from tags[TAG_STEP - 1::TAG_STEP]


def build_tree(tree: Path, repos: list[Path], target: int) -> None:
    """Export revisions of `repos`, round-robin, until the tree holds `target` bytes."""
    tree.mkdir(parents=True)
    size = 0
    pending = [(repo, revisions(repo)) for repo in repos]
    while pending and size < target:
        for repo, revs in list(pending):
            rev = next(revs, None)
            if rev is None:
                pending.remove((repo, revs))
                continue
            folder = tree / f"{repo.parent.name if repo.name in ('repo', '.git') else repo.name}-{rev}"
            folder.mkdir()
            archive = subprocess.run(["git", "-C", str(repo), "archive", rev], capture_output=True)
            unpacked = archive.returncode == 0 and subprocess.run(
                ["tar", "-x", "-C", str(folder)], input=archive.stdout, capture_output=True).returncode == 0
            if not unpacked:  # e.g. a snapshot without its largest blobs
                shutil.rmtree(folder)
                continue
            size += tree_size(folder)[1]
            print(f"  {folder.name}: tree now {size / GB:.2f} GB", file=sys.stderr)
            if size >= target:
                break


def copy_site_packages(tree: Path, target: int) -> None:
    source = Path(sysconfig.get_paths()["purelib"])
    tree.mkdir(parents=True)
    copies, size = 0, 0
    one = tree_size(source)[1]
    while size < target:
        shutil.copytree(source, tree / f"site-packages-{copies}", symlinks=True)
        copies, size = copies + 1, size + one


def plant_tree(tree: Path) -> list[str]:
    """Keys in a new .env, deep in a source folder, and at the end of an existing file."""
    keys = [secret() for _ in range(PLANTED)]
    folders = sorted(p for p in tree.iterdir() if p.is_dir())
    (folders[0] / ".env").write_text(f"MYSSL_API_KEY={keys[0]}\n")
    deep = max((p for p in folders[-1].rglob("*") if p.is_dir()), key=lambda p: len(p.parts))
    (deep / "settings.local.py").write_text(f"API_KEY = '{keys[1]}'\n")
    sources = sorted(p for p in folders[len(folders) // 2].rglob("*.py") if not p.is_symlink())[:3]
    for key, path in zip(keys[2:], sources, strict=False):
        with path.open("a") as file:
            file.write(f"\n# {key}\n")
    return keys[:2 + len(sources)]


def build_history(clone: Path, source: Path) -> int:
    """A clone of `source` with planted commits; returns how many keys the commits hold."""
    run("git", "clone", "-q", "--no-local", str(source), str(clone))
    first, second = secret(), secret()
    (clone / "bench_config.py").write_text(f"KEY = '{first}'\n")
    run("git", "add", "bench_config.py", cwd=clone)
    run("git", "commit", "-q", "-m", "add a key", cwd=clone)
    (clone / "bench_config.py").write_text("import os\nKEY = os.environ['KEY']\n")
    run("git", "commit", "-q", "-am", "take the key out", cwd=clone)
    run("git", "switch", "-q", "-c", "bench-branch", cwd=clone)
    (clone / "bench.env").write_text(f"KEY={second}\n")
    run("git", "add", "-f", "bench.env", cwd=clone)
    run("git", "commit", "-q", "-m", "a key on a branch", cwd=clone)
    run("git", "switch", "-q", "-", cwd=clone)
    return 2


def prepare(args: argparse.Namespace) -> tuple[Path, list[str], Path | None]:
    work: Path = args.work
    manifest = work / "manifest.json"
    wanted = {"repos": [str(r) for r in args.source_repo], "size_gb": args.size_gb,
              "history": str(args.history_repo) if args.history_repo else None}
    if args.rebuild or not manifest.exists() or json.loads(manifest.read_text())["wanted"] != wanted:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        print(f"building the trees under {work}…", file=sys.stderr)
        if args.source_repo:
            build_tree(work / "tree", args.source_repo, int(args.size_gb * GB))
        else:
            copy_site_packages(work / "tree", int(args.size_gb * GB))
        keys = plant_tree(work / "tree")
        if args.history_repo:
            build_history(work / "history", args.history_repo)
        manifest.write_text(json.dumps({"wanted": wanted, "keys": [k[:12] for k in keys]}))
    prefixes = json.loads(manifest.read_text())["keys"]
    return work / "tree", prefixes, work / "history" if args.history_repo else None


# --- measuring ---------------------------------------------------------------------------

Timing = tuple[float, float]  # wall seconds, CPU seconds (user + system, this process and children)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action: Callable[[], object]) -> Timing:
    started, cpu = time.perf_counter(), cpu_seconds()
    action()
    return time.perf_counter() - started, cpu_seconds() - cpu


def in_turns(runs: int, **actions: Callable[[], object]) -> dict[str, list[Timing]]:
    """Each action once to warm up, then `runs` rounds, the order turning every round."""
    for action in actions.values():
        action()
    times: dict[str, list[Timing]] = {name: [] for name in actions}
    names = list(actions)
    for round_ in range(runs):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            times[name].append(timed(actions[name]))
    return times


def summary(name: str, timings: list[Timing], baseline: list[Timing] | None = None) -> str:
    """Wall time: median, range, ratio of medians and of each round; median CPU time."""
    walls, cpus = [w for w, _ in timings], [c for _, c in timings]
    text = (f"  {name:<34} median {statistics.median(walls):6.3f} s  range {min(walls):.3f}–{max(walls):.3f} s"
            f"  CPU {statistics.median(cpus):.2f} s")
    if baseline is not None:
        base = [w for w, _ in baseline]
        ratios = sorted(w / b for w, b in zip(walls, base, strict=True))
        text += (f"  ratio {statistics.median(walls) / statistics.median(base):.2f}x"
                 f" (per round {ratios[0]:.2f}–{ratios[-1]:.2f}x)")
    return text


def check_tree_hits(tree: Path, prefixes: list[str]) -> None:
    found = sorted(h.prefix for h in scan([tree]).hits)
    assert found == sorted(prefixes), f"scan found {found}, planted {prefixes}"
    lines = subprocess.run(["rg", "-uu", "-o", "--no-filename", "myssl_k_[a-z0-9]{40}", str(tree)],
                           capture_output=True, text=True).stdout.split()
    assert sorted(line[:12] for line in lines) == sorted(prefixes), "rg did not find the planted keys"


def peak_rss_mb(paths: list[Path]) -> tuple[float, float]:
    """VmHWM of a new process that scans `paths` (ru_maxrss would carry the parent's peak
    across fork and exec), and the peak RSS of its helper process (0 without one)."""
    code = ("import resource, sys\nfrom myssl_desktop.scan import scan\nscan(sys.argv[1:])\n"
            "print(next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM')),"
            " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *map(str, paths)], check=True, capture_output=True,
                         text=True).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024  # kB


def half_of(tree: Path) -> tuple[list[Path], int]:
    """Top folders of the tree holding about half its bytes, and their size."""
    total, half, size = tree_size(tree)[1], [], 0
    for folder in sorted(p for p in tree.iterdir() if p.is_dir()):
        if size >= total / 2:
            break
        half.append(folder)
        size += tree_size(folder)[1]
    return half, size


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    versions = [run(tool, "--version").stdout.splitlines()[0] for tool in ("rg", "git")]
    return (f"{os.cpu_count()} cores ({cpu}), {platform.platform()}, Python {platform.python_version()}, "
            + ", ".join(versions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/myssl-scan-bench"))
    parser.add_argument("--source-repo", type=Path, action="append", default=[], metavar="REPO",
                        help="a git repository whose revisions make the tree (repeat)")
    parser.add_argument("--history-repo", type=Path, default=None, metavar="REPO",
                        help="a git repository with thousands of commits")
    parser.add_argument("--size-gb", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="build the trees again")
    args = parser.parse_args()
    if shutil.which("rg") is None:
        sys.exit("ripgrep is needed: apt-get install ripgrep (packaging/dev/setup.sh does)")
    tree, prefixes, history = prepare(args)
    files, size = tree_size(tree)
    print(f"machine: {machine()}")
    print(f"tree: {tree}: {files:,} files, {size / GB:.2f} GB, {len(prefixes)} planted keys")

    check_tree_hits(tree, prefixes)
    cli = [sys.executable, "-m", "myssl_desktop.cli", "scan", str(tree)]
    times = in_turns(args.runs,
                     rg=lambda: subprocess.run(["rg", "-uu", "myssl_k_", str(tree)], stdout=subprocess.DEVNULL),
                     rg_1=lambda: subprocess.run(["rg", "-j1", "-uu", "myssl_k_", str(tree)],
                                                 stdout=subprocess.DEVNULL),
                     scan=lambda: scan([tree]),
                     scan_1=lambda: scan([tree], parallel=False),
                     cli=lambda: subprocess.run(cli, stdout=subprocess.DEVNULL))
    print("working tree (goal: at most 1.5x rg -uu):")
    print(summary("rg -uu myssl_k_ (baseline)", times["rg"]))
    print(summary("rg -j1 (one thread, for scale)", times["rg_1"], times["rg"]))
    print(summary("scan() in process", times["scan"], times["rg"]))
    print(summary("scan(parallel=False) (one core)", times["scan_1"], times["rg"]))
    print(summary("myssl-keys scan (a new process)", times["cli"], times["rg"]))

    if history is not None:
        commits = run("git", "-C", str(history), "rev-list", "--all", "--count").stdout.strip()
        report = scan([history], history=True)
        found = [h for h in report.hits if h.in_history]
        assert len(found) == 2, f"the history scan found {len(found)} planted keys, not 2"
        pipeline = f"git -C '{history}' log -p --all | rg myssl_k_"
        baseline_lines = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True).stdout
        assert baseline_lines.count("myssl_k_") >= 2
        times = in_turns(args.runs,
                         log=lambda: subprocess.run(["bash", "-c", pipeline], stdout=subprocess.DEVNULL),
                         scan=lambda: scan([history], history=True))
        print(f"history: {history}: {commits} commits, {report.progress.blobs:,} blobs "
              f"({report.progress.blob_bytes / 1e6:,.0f} MB) (goal: at most 1.5x):")
        print(summary("git log -p --all | rg (baseline)", times["log"]))
        print(summary("scan(history=True)", times["scan"], times["log"]))

    half, half_size = half_of(tree)
    (small, small_helper), (large, large_helper) = peak_rss_mb(half), peak_rss_mb([tree])
    print("memory (goal: flat):")
    print(f"  peak RSS scanning {half_size / GB:.2f} GB: {small:.1f} MB; {size / GB:.2f} GB: {large:.1f} MB "
          f"({large / small:.2f}x for {size / half_size:.2f}x the bytes); its helper process: "
          f"{small_helper:.1f} MB and {large_helper:.1f} MB")

if __name__ == "__main__":
    main()
