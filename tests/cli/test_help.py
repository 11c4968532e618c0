"""`myssl-keys --help` and every command's help: what each option does when it is not given."""

from __future__ import annotations

import argparse

from myssl_desktop.cli import build_parser
from tests.cli.helpers import every_parser


def test_every_option_with_a_default_says_it_in_its_help() -> None:
    checked = 0
    for parser in every_parser(build_parser()):
        text = " ".join(parser.format_help().split())
        for action in parser._actions:
            if action.option_strings and action.default not in (None, False, [], argparse.SUPPRESS):
                own = " ".join(parser._get_formatter()._expand_help(action).split())  # what this option's help says
                assert own in text and "default" in own, (parser.prog, action.option_strings, own)
                checked += 1
    assert checked >= 3  # --status, --at, --quiet-period


def test_the_help_names_the_defaults_that_matter() -> None:
    helps = {parser.prog: " ".join(parser.format_help().split()) for parser in every_parser(build_parser())}
    assert "which keys (default: current, every key but the revoked ones)" in helps["myssl-keys keys list"]
    assert "revoke now, or schedule it this far ahead (default: now)" in helps["myssl-keys keys revoke"]
    assert "before it is revoked (default: 10m)" in helps["myssl-keys rotate"]
    assert "(default: domains:read)" in helps["myssl-keys keys create"]
    assert "(default: production for a new profile" in helps["myssl-keys login"]
    top = helps["myssl-keys"]
    assert "--profile NAME that stored profile, its key from the keychain (this beats MYSSL_API_KEY)" in top
    assert top.index("--profile NAME that stored") < top.index("MYSSL_API_KEY that key as it is") \
        < top.index("MYSSL_PROFILE that stored profile") < top.index("otherwise the profile used last")


def test_a_command_loads_only_its_own_module_and_help_lists_them_all(tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys

    probe = ("import sys; from myssl_desktop.cli import main; code = main(sys.argv[1:]); "
             "print(sorted(m for m in sys.modules if m.startswith('myssl_desktop.cli.') and m.count('.') == 2))")
    ran = subprocess.run([sys.executable, "-c", probe, "--profile", "rotate", "scan", str(tmp_path), "--json"],
                         capture_output=True, text=True, timeout=60, check=True)
    loaded = ran.stdout.strip().splitlines()[-1]
    assert "myssl_desktop.cli.scan" in loaded  # "rotate" there was the profile's name, not the command
    for other in ("rotate", "check", "keys", "account", "activity", "completion"):
        assert f"myssl_desktop.cli.{other}'" not in loaded
    every = {name for action in build_parser()._subparsers._group_actions for name in action.choices}  # type: ignore[union-attr]
    assert every == {"login", "logout", "forget", "profiles", "whoami", "doctor", "keys", "rotate", "rotations",
                     "scan", "hook", "activity", "check", "schedule", "completion"}
    for argv in (["--help"], ["-h", "keys"], ["--help", "rotate"], ["rotat"], ["--profile"], ["completion", "bash"]):
        chosen = {name for action in build_parser(argv)._subparsers._group_actions  # type: ignore[union-attr]
                  for name in action.choices}
        assert chosen == every, argv
