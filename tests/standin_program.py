"""A stand-in for gh, vault, kubectl, docker, fly, vercel and ssh (and `recorder`, a program of
no tool): installed on PATH under those names by `tests/standins.py`. It records every call
(argv, environment, standard input) to $STANDIN_LOG/calls.jsonl and keeps what was stored in
$STANDIN_LOG/state.json, answering as the real tool would for what the command targets use.
Files in $STANDIN_LOG steer it: `fail` (a call whose words contain its text fails), `hang` (such
a call sleeps until killed, and writes its pid to `hung.pid`), `echo` (every call prints its
standard input to its standard error, as a verbose tool might)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

LOG = Path(os.environ["STANDIN_LOG"])


def steer(name: str) -> str:
    path = LOG / name
    return path.read_text().strip() if path.exists() else ""


def main() -> int:
    program = Path(sys.argv[0]).name
    args = sys.argv[1:]
    data = sys.stdin.buffer.read() if not sys.stdin.isatty() else b""
    with (LOG / "calls.jsonl").open("a") as log:
        log.write(json.dumps({"program": program, "argv": args, "stdin": data.decode("utf-8", "replace"),
                              "env": dict(os.environ)}) + "\n")
    words = " ".join([program, *args])
    if steer("echo"):
        sys.stderr.write(f"{program}: read {data.decode('utf-8', 'replace')!r}\n")
    if (hang := steer("hang")) and hang in words:
        (LOG / "hung.pid").write_text(str(os.getpid()))
        time.sleep(3600)
    if (fail := steer("fail")) and fail in words:
        sys.stderr.write(f"{program}: error: simulated failure of {words}\n")
        return 1
    state_path = LOG / "state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    store = state.setdefault(program, {})
    code = answer(program, args, data, store)
    state_path.write_text(json.dumps(state))
    return code


def option(args: list[str], name: str) -> str:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return ""


def answer(program: str, args: list[str], data: bytes, store: dict) -> int:  # noqa: C901 - one tool per branch
    text = data.decode()
    if program == "gh":
        if args[:2] == ["auth", "status"]:
            print("github.com\n  ✓ Logged in to github.com account someone")
        elif args[:2] == ["secret", "set"]:
            scope = option(args, "--repo") + "/" + option(args, "--env") + "/" + option(args, "--org")
            store[f"{scope}:{args[2]}"] = text.rstrip("\r\n")  # as gh does
            print(f"✓ Set Actions secret {args[2]}")
        elif args[:2] == ["secret", "list"]:
            scope = option(args, "--repo") + "/" + option(args, "--env") + "/" + option(args, "--org")
            for key in store:
                if key.startswith(scope + ":"):
                    print(f"{key.split(':', 1)[1]}\t2026-12-04T20:00:00Z")
        return 0
    if program == "vault":
        if args[:2] == ["token", "lookup"]:
            print("Key  Value\n---  -----\npolicies  [default]")
            return 0
        mount = option(args, "-mount")
        if args[:2] == ["kv", "patch"]:
            path, pair = args[-2], args[-1]
            field, _, value = pair.partition("=")
            store.setdefault(f"{mount}/{path}", {})[field] = text if value == "-" else value
            print(f"== Secret Path ==\n{mount}/data/{path}")
            return 0
        if args[:2] == ["kv", "get"]:
            found = store.get(f"{mount}/{args[-1]}", {}).get(option(args, "-field"))
            if found is None:
                print("No value found", file=sys.stderr)
                return 2
            sys.stdout.write(found)
            return 0
    if program == "docker":
        name = args[-1] if args[-1] != "-" else args[-2]
        if args[:2] == ["secret", "ls"]:
            print("\n".join(store))
            return 0
        if args[:2] == ["secret", "inspect"]:
            if name not in store:
                print(f"Error: No such secret: {name}", file=sys.stderr)
                return 1
            print(name)
            return 0
        if args[:2] == ["secret", "create"]:
            if name in store:
                print(f"Error response from daemon: secret {name} already exists", file=sys.stderr)
                return 1
            store[name] = text
            print(f"id{len(store)}")
            return 0
    if program == "kubectl":
        namespace = option(args, "--namespace") or "default"
        if args[:2] == ["auth", "can-i"]:
            print("yes")
            return 0
        if args[:3] == ["create", "secret", "generic"]:
            source = option(args, "--from-file")
            key = source.split("=", 1)[0]
            # --from-file=KEY=/dev/stdin: the value is what came on our standard input
            print(f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {args[3]}\n  namespace: {namespace}\n"
                  f"data:\n  {key}: {base64.b64encode(data).decode()}")
            return 0
        if args[:1] == ["apply"]:
            lines = text.splitlines()
            name = next(line.split(": ", 1)[1] for line in lines if line.startswith("  name: "))
            key, _, encoded = lines[-1].strip().partition(": ")
            store[f"{namespace}/{name}"] = {key: base64.b64decode(encoded).decode()}
            print(f"secret/{name} configured")
            return 0
        if args[:2] == ["rollout", "restart"]:
            print(f"{args[2]} restarted")
            return 0
        if args[:2] == ["get", "secret"]:
            if f"{namespace}/{args[2]}" not in store:
                print(f'Error from server (NotFound): secrets "{args[2]}" not found', file=sys.stderr)
                return 1
            print(f"NAME  TYPE  DATA\n{args[2]}  Opaque  1")
            return 0
    if program == "fly":
        app = option(args, "--app")
        if args[:2] == ["auth", "whoami"]:
            print("someone@example.com")
        elif args[:2] == ["secrets", "import"]:
            for line in text.splitlines():
                name, _, value = line.partition("=")
                store[f"{app}:{name}"] = value
        elif args[:2] == ["secrets", "list"]:
            for key in store:
                if key.startswith(app + ":"):
                    print(f"{key.split(':', 1)[1]}\tdigest\t2026-12-04")
        return 0
    if program == "vercel":
        if args[:1] == ["whoami"]:
            print("someone")
        elif args[:2] == ["env", "add"]:
            if f"{args[3]}:{args[2]}" in store and "--force" not in args:
                print("Error: The variable already exists", file=sys.stderr)
                return 1
            store[f"{args[3]}:{args[2]}"] = text  # verbatim: a trailing newline would be part of the value
            print(f"Added Environment Variable {args[2]} to Project")
        elif args[:2] == ["env", "ls"]:
            for key in store:
                if key.startswith(args[2] + ":"):
                    print(f"{key.split(':', 1)[1]}  Encrypted  {args[2]}")
        return 0
    if program == "ssh":  # "the server" is this machine: the remote command runs in a shell here
        remote = [a for a in args if a not in ("-o", "BatchMode=yes")]
        return subprocess.run(["sh", "-c", remote[-1]], input=data).returncode
    if program == "recorder":
        return 0
    print(f"{program}: the stand-in does not know “{' '.join(args)}”", file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main())
