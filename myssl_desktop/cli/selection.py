"""Which account a command acts for: a stored profile, or a key given in the environment.

The order is the same for every command (`myssl-keys --help` shows it as ACCOUNT_ORDER):
--profile, then MYSSL_API_KEY, then MYSSL_PROFILE, then the profile used last. A key from
MYSSL_API_KEY is an ephemeral profile, for CI: it is used as it is and written nowhere (no
profile, no keychain entry, no journal; the log cuts every key to its prefix).
"""

from __future__ import annotations

import argparse
import os

from ..api.secret import Secret, is_key_format
from ..keychain import Keychain, KeychainUnavailable
from ..paths import FolderNotWritable
from ..profiles import Profile
from ..services import Services
from ..session import Session
from . import arguments
from .output import CommandFailed, fail

ENV_KEY = "MYSSL_API_KEY"
ENV_BASE_URL = "MYSSL_BASE_URL"
ENV_PROFILE = "MYSSL_PROFILE"
EPHEMERAL_ID = "environment"  # the id of the ephemeral profile: never saved, so it meets no stored one

ACCOUNT_ORDER = f"""which account a command uses (the first that applies):
  --profile NAME     that stored profile, its key from the keychain (this beats {ENV_KEY})
  {ENV_KEY}      that key as it is, for CI: stored nowhere, no keychain; its API is
                     --base-url or {ENV_BASE_URL} (default: the MySSL service)
  {ENV_PROFILE}      that stored profile
  otherwise          the profile used last (see: myssl-keys profiles)"""


def add_account_options(parser: argparse.ArgumentParser, *, top_level: bool = False, base_url: bool = True) -> None:
    """--profile and --base-url; a subcommand takes them too, so both `myssl-keys --profile work
    keys list` and `myssl-keys keys list --profile work` work (SUPPRESS keeps the first)."""
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument("--profile", type=arguments.text, default=default, metavar="NAME",
                        help=f"the stored profile to use (default: {ENV_PROFILE}, else the profile used last; "
                             f"{ENV_KEY} beats both but not --profile)")
    if base_url:
        parser.add_argument("--base-url", type=arguments.base_url, default=default, metavar="URL",
                            help=f"the API of a new profile (login), or of the key in {ENV_KEY} "
                                 f"(default: {ENV_BASE_URL}, else https://myssl.info/api/v1)")


class NoKeychain(Keychain):
    """The keychain of the ephemeral profile: there is none. Nothing is stored or read."""

    REASON = f"the key comes from {ENV_KEY}, so no keychain is used"

    def ensure_usable(self) -> None:
        raise KeychainUnavailable(self.REASON)

    def store(self, entry: str, secret: Secret, *, label: str = "") -> None:
        raise KeychainUnavailable(self.REASON)

    def load(self, entry: str) -> Secret | None:
        raise KeychainUnavailable(self.REASON)

    def delete(self, entry: str) -> bool:
        return False

    def entries(self, prefix: str) -> list[str]:
        return []

    def backend_name(self) -> str:
        return "none"


def env_key(args: argparse.Namespace) -> Secret | None:
    """The key in MYSSL_API_KEY, unless --profile names a stored profile."""
    value = os.environ.get(ENV_KEY, "").strip()
    if not value or getattr(args, "profile", None):
        return None
    if not is_key_format(value):
        raise CommandFailed(fail(f"{ENV_KEY} does not hold a MySSL API key: keys start with “myssl_k_” followed "
                                 "by letters and digits. Set it to the whole key, or unset it."))
    return Secret(value)


def profile_name(args: argparse.Namespace) -> str | None:
    """The stored profile named by --profile or MYSSL_PROFILE, if any."""
    name = getattr(args, "profile", None) or os.environ.get(ENV_PROFILE, "").strip() or None
    problem = arguments.text_problem(name) if name else None
    if problem:
        raise CommandFailed(fail(f"{ENV_PROFILE}: {problem}", exit_code=2))
    return name


def stored_profile(services: Services, args: argparse.Namespace, *, needs: str = "") -> Profile:
    """The stored profile the command acts on. `needs` says why the command cannot act with a
    key from MYSSL_API_KEY; without it such a key is not looked at."""
    if needs and env_key(args) is not None:
        raise CommandFailed(fail(f"{ENV_KEY} is set, and {needs}. Name a stored profile with --profile NAME, "
                                 f"or unset {ENV_KEY}."))
    if getattr(args, "base_url", None):
        raise CommandFailed(fail(f"--base-url goes with a key from {ENV_KEY} or with login; a stored profile "
                                 "keeps its own (change it with: myssl-keys login --profile NAME --base-url URL)",
                                 exit_code=2))
    return find_profile(services, profile_name(args))


def find_profile(services: Services, name: str | None) -> Profile:
    state = services.profiles.load()
    profile = state.find(name) if name else state.last
    if profile is None:
        known = ", ".join(p.name for p in state.profiles) or "none yet"
        wanted = f"No profile named “{name}”" if name else "No profile has been used yet"
        raise CommandFailed(fail(f"{wanted} (profiles: {known}). Sign in with: myssl-keys login --profile NAME, "
                                 f"or set {ENV_KEY}"))
    problem = arguments.url_problem(profile.base_url)
    if problem:
        raise CommandFailed(fail(f"Profile “{profile.name}” has a damaged base URL: {problem}. Sign in again: "
                                 f"myssl-keys login --profile {profile.name} --base-url URL"))
    return profile


def ephemeral_base_url(args: argparse.Namespace) -> str:
    from ..api.models import DEFAULT_BASE_URL

    if getattr(args, "base_url", None):
        return str(args.base_url)
    value = os.environ.get(ENV_BASE_URL, "").strip()
    problem = arguments.url_problem(value) if value else None
    if problem:
        raise CommandFailed(fail(f"{ENV_BASE_URL}: {problem}", exit_code=2))
    return value or DEFAULT_BASE_URL


def open_session(services: Services, args: argparse.Namespace) -> Session:
    """The session of the chosen account: a stored profile's, or the ephemeral one of MYSSL_API_KEY."""
    secret = env_key(args)
    if secret is None:
        return Session.for_profile(services, stored_profile(services, args))
    from ..api.client import MysslClient
    from ..api.transport import normalise_base_url

    url = normalise_base_url(ephemeral_base_url(args))
    profile = Profile(id=EPHEMERAL_ID, name=ENV_KEY, base_url=url, key_prefix=secret.prefix)
    return Session(profile, MysslClient(url, secret), NoKeychain())


def is_ephemeral(session: Session) -> bool:
    return isinstance(session.keychain, NoKeychain)


def require_writable(services: Services, *labels: str) -> None:
    """Before a change that writes to the app's folders ("config", "data"): fail now, with one
    line, rather than after a key was stored or MySSL has acted."""
    try:
        services.dirs.ensure_writable(*labels)
    except FolderNotWritable as error:
        raise CommandFailed(fail(f"{error} Nothing was changed. Fix that folder, or see: myssl-keys doctor")) \
            from None


__all__ = ["ACCOUNT_ORDER", "ENV_BASE_URL", "ENV_KEY", "ENV_PROFILE", "NoKeychain", "add_account_options",
           "env_key", "ephemeral_base_url", "find_profile", "is_ephemeral", "open_session", "profile_name",
           "require_writable", "stored_profile"]
