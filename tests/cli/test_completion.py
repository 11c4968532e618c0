"""`myssl-keys completion bash|zsh|fish`: scripts that complete commands, options, choices and
file names in the real shells. zsh and fish are skipped where they are not installed."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from myssl_desktop.cli import build_parser
from myssl_desktop.paths import AppDirs
from tests.cli.helpers import cli_env, every_parser


def script(shell: str, folder: Path) -> Path:
    made = subprocess.run([sys.executable, "-m", "myssl_desktop.cli", "completion", shell], capture_output=True,
                          text=True, env=cli_env(), timeout=60)
    assert made.returncode == 0 and made.stderr == "", made.stderr
    path = folder / {"bash": "myssl-keys", "zsh": "_myssl-keys", "fish": "myssl-keys.fish"}[shell]
    path.write_text(made.stdout)
    return path


def bash_complete(path: Path, line: str) -> list[str]:
    """What Tab offers at the end of `line` in bash, as bash-completion would ask."""
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    program = (f"source {shlex.quote(str(path))}; COMP_WORDS=({' '.join(map(shlex.quote, words))}); "
               f"COMP_CWORD={len(words) - 1}; COMP_LINE={shlex.quote(line)}; COMP_POINT=${{#COMP_LINE}}; "
               '_shtab_myssl_keys myssl-keys; printf "%s\\n" "${COMPREPLY[@]}"')
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def fish_complete(path: Path, line: str) -> list[str]:
    done = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C {shlex.quote(line)}"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return [candidate.split("\t")[0] for candidate in done.stdout.splitlines()]


def needs(shell: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (apt-get install {shell})")


COMMANDS = sorted({parser.prog.split()[1] for parser in every_parser(build_parser()) if parser.prog != "myssl-keys"})


def test_bash_completes_commands_options_choices_and_files(tmp_path: Path, app_dirs: AppDirs) -> None:
    path = script("bash", tmp_path)
    assert [p for p in app_dirs.all().values() if p.exists()] == []  # a package build's run leaves nothing
    assert sorted(bash_complete(path, "myssl-keys ")) == COMMANDS
    assert bash_complete(path, "myssl-keys ke") == ["keys"]
    assert sorted(bash_complete(path, "myssl-keys keys ")) == ["create", "list", "regenerate", "rename", "revoke",
                                                                "show"]
    assert bash_complete(path, "myssl-keys --profile work keys li") == ["list"]  # after the global option
    assert "--status" in bash_complete(path, "myssl-keys keys list --")
    assert bash_complete(path, "myssl-keys keys list --status ") == ["current", "active", "expiring", "revoked",
                                                                      "all"]
    assert bash_complete(path, "myssl-keys completion ") == ["bash", "zsh", "fish"]
    (tmp_path / "deploy.env").write_text("")
    assert f"{tmp_path}/deploy.env" in bash_complete(path, f"myssl-keys rotate App --env-file {tmp_path}/dep")


def test_fish_completes_commands_options_choices_and_files(tmp_path: Path) -> None:
    needs("fish")
    path = script("fish", tmp_path)
    assert sorted(fish_complete(path, "myssl-keys ")) == COMMANDS
    assert sorted(fish_complete(path, "myssl-keys keys ")) == ["create", "list", "regenerate", "rename", "revoke",
                                                               "show"]
    assert fish_complete(path, "myssl-keys --profile work keys li") == ["list"]
    assert sorted(fish_complete(path, "myssl-keys keys list --status ")) == ["active", "all", "current",
                                                                              "expiring", "revoked"]
    (tmp_path / "secret.txt").write_text("")
    assert f"{tmp_path}/secret.txt" in fish_complete(path, f"myssl-keys keys create --out-file {tmp_path}/sec")


def test_zsh_loads_the_script_and_knows_every_command_and_choice(tmp_path: Path) -> None:
    needs("zsh")
    path = script("zsh", tmp_path)
    assert path.read_text().startswith("#compdef myssl-keys\n")
    assert subprocess.run(["zsh", "-n", str(path)], capture_output=True, timeout=30).returncode == 0
    program = ('autoload -U compinit && compinit -u -D -d "$1/.zcompdump"; eval "$(<$2)"; '
               'print -r -- $_comps[myssl-keys]; '
               'print -l -- $_shtab_myssl_keys_keys_list_options')
    done = subprocess.run(["zsh", "-f", "-c", program, "zsh", str(tmp_path), str(path)], capture_output=True,
                          text=True, timeout=30, env={**cli_env(), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "_shtab_myssl_keys"  # registered for myssl-keys
    assert any(line.startswith("--status[") and line.endswith(":status:(current active expiring revoked all)")
               for line in lines)
    text = path.read_text()
    assert all(f"    {command}:'" in text for command in COMMANDS)
