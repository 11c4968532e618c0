"""Stand-ins on PATH for the tools command targets run (gh, vault, kubectl, docker, fly, vercel,
ssh) where this machine has none, recording what each received: see standin_program.py."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROGRAMS = ("gh", "vault", "kubectl", "docker", "fly", "vercel", "ssh", "recorder")
SOURCE = Path(__file__).with_name("standin_program.py")


@dataclass(frozen=True)
class Call:
    program: str
    argv: list[str]
    stdin: str
    env: dict[str, str]

    @property
    def words(self) -> str:
        return " ".join([self.program, *self.argv])


class Standins:
    """The stand-ins' folder: `bin` goes first on PATH, `log` holds their records."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.log = root / "log"
        self.bin.mkdir(parents=True)
        self.log.mkdir(parents=True)
        script = f"#!{sys.executable}\n" + SOURCE.read_text()
        for name in PROGRAMS:
            path = self.bin / name
            path.write_text(script)
            path.chmod(0o755)

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment whose PATH finds the stand-ins first."""
        env = dict(os.environ if base is None else base)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["STANDIN_LOG"] = str(self.log)
        return env

    def calls(self, program: str | None = None) -> list[Call]:
        path = self.log / "calls.jsonl"
        found = [Call(**json.loads(line)) for line in path.read_text().splitlines()] if path.exists() else []
        return [c for c in found if program is None or c.program == program]

    def state(self, program: str) -> dict[str, Any]:
        path = self.log / "state.json"
        return json.loads(path.read_text()).get(program, {}) if path.exists() else {}

    def steer(self, name: str, text: str = "") -> None:
        """`fail`, `hang` or `echo` (see standin_program.py); an empty text lifts it."""
        path = self.log / name
        if text:
            path.write_text(text)
        elif path.exists():
            path.unlink()


__all__ = ["PROGRAMS", "Call", "Standins"]
