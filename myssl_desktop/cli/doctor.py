"""`myssl-keys doctor`: what works and what does not, in one report."""

from __future__ import annotations

import argparse
import uuid

from .. import __version__
from ..api.secret import Secret
from ..keychain import KeychainError
from ..paths import FolderNotWritable
from ..services import Services
from .arguments import url_problem
from .output import emit_json, say
from .selection import ENV_KEY, env_key, ephemeral_base_url, profile_name


def _check_keychain(services: Services) -> tuple[bool, str]:
    try:
        name = services.keychain.backend_name()
        services.keychain.ensure_usable()
        probe = f"doctor/{uuid.uuid4().hex[:8]}"
        services.keychain.store(probe, Secret("myssl_k_doctorprobe"))
        services.keychain.delete(probe)
        return True, f"{name}: works (stored, read back and removed a test entry)"
    except KeychainError as error:
        return False, f"{services.keychain.backend_name()}: {error}"


def _check_folder(services: Services, label: str) -> tuple[bool, str]:
    """A file can be created there (os.access says yes to root even on a read-only folder)."""
    try:
        services.dirs.ensure_writable(label)
    except FolderNotWritable as error:
        return False, str(error)
    return True, str(services.dirs.all()[label])


def _check_connection(base_url: str) -> tuple[bool, str]:
    """Reachability and TLS: an unauthenticated request must get MySSL's 401 answer."""
    import httpx

    from ..api.client import network_error
    from ..api.errors import InsecureUrl, TlsError
    from ..api.transport import end_deadline, expired_deadline, normalise_base_url, shared_pool

    problem = url_problem(base_url)
    if problem:
        return False, problem
    try:
        url = normalise_base_url(base_url)
    except InsecureUrl as error:
        return False, str(error)
    try:
        response = shared_pool.client_for(url).get(url + "/api-keys/current")
    except httpx.HTTPError as exc:
        slow = expired_deadline()
        end_deadline()
        if slow is not None:
            return False, f"{url}: reachable, but it answered too slowly (no full answer within {slow:.0f} s)"
        failure = network_error(exc, url.split("/")[2], False)
        kind = "TLS" if isinstance(failure, TlsError) else "network"
        return False, f"{url}: {kind} problem: {failure}"
    tls = "TLS verified" if url.startswith("https://") else "plain HTTP (loopback)"
    if response.status_code != 401 or "Authentication required" not in response.text:
        return False, (f"{url}: reachable ({tls}) but it does not answer like the MySSL API "
                       f"(HTTP {response.status_code})")
    return True, f"{url}: reachable, {tls}, answers like the MySSL API"


def _base_url(services: Services, args: argparse.Namespace) -> str:
    """--base-url, else that of MYSSL_API_KEY's or the chosen profile, else the MySSL service."""
    if getattr(args, "base_url", None) or env_key(args) is not None:
        return ephemeral_base_url(args)
    name = profile_name(args)
    state = services.profiles.load()
    profile = state.find(name) if name else state.last
    if profile is not None:
        return profile.base_url
    from ..api.models import DEFAULT_BASE_URL

    return DEFAULT_BASE_URL


def run(services: Services, args: argparse.Namespace) -> int:
    checks: list[tuple[str, bool, str]] = []
    checks.append(("version", True, f"myssl-desktop {__version__}"))
    from_env = env_key(args)
    if from_env is None:
        checks.append(("keychain", *_check_keychain(services)))
    else:
        checks.append(("keychain", True, f"not needed: the key comes from {ENV_KEY} ({from_env.prefix}…)"))
    for label in services.dirs.all():
        checks.append((f"{label} folder", *_check_folder(services, label)))
    checks.append(("connection", *_check_connection(_base_url(services, args))))
    broken = [name for name, ok, _ in checks if not ok]
    if args.json:
        emit_json({"ok": not broken, "checks": [{"check": name, "ok": ok, "detail": detail}
                                                for name, ok, detail in checks]})
        return 1 if broken else 0
    width = max(len(name) for name, _, _ in checks)
    for name, ok, detail in checks:
        say(f"{'ok  ' if ok else 'FAIL'} {name.ljust(width)}  {detail}")
    if broken:
        say()
        say(f"{len(broken)} problem(s): {', '.join(broken)}.")
        return 1
    say()
    say("Everything works.")
    return 0
