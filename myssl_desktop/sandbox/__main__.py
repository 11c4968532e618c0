"""python -m myssl_desktop.sandbox: serve a sandbox until SIGINT or SIGTERM.

Prints exactly one JSON line to stdout, {"base_url": ..., "admin_key": ...}, so that a
parent process can read where to connect and with what; nothing else goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from .ratelimit import TIERS
from .routes import LATEST_VERSION, VERSIONS
from .sandbox import SEEDS, Sandbox


def _fail_rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m myssl_desktop.sandbox",
                                     description="A local MySSL API for development and tests.")
    parser.add_argument("--port", type=_non_negative, default=0, help="0 picks a free port")
    parser.add_argument("--data", metavar="DIR", help="keep the account in DIR/sandbox.sqlite3")
    parser.add_argument("--tier", choices=tuple(TIERS), default="pro")
    parser.add_argument("--seed", choices=SEEDS, help="fill the account with demo data")
    parser.add_argument("--traffic", action="store_true", help="keep demo keys busy")
    parser.add_argument("--latency-ms", type=_non_negative, default=0)
    parser.add_argument("--fail-rate", type=_fail_rate, default=0.0)
    parser.add_argument("--fault-seed", type=int, default=None, help="replayable faults")
    parser.add_argument("--api-version", choices=VERSIONS, default=LATEST_VERSION,
                        help="the contract served; 1.0 is a server without the v1.1 additions "
                             "(no /clients, no expiry at creation)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    sandbox = Sandbox(tier=args.tier, seed=args.seed, data_dir=args.data,
                      latency_ms=args.latency_ms, fail_rate=args.fail_rate,
                      traffic=args.traffic, fault_seed=args.fault_seed, api_version=args.api_version)
    try:
        sandbox.start(args.port)
        line = json.dumps({"base_url": sandbox.base_url, "admin_key": sandbox.admin_key})
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
