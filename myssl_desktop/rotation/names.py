"""A rotated key keeps its name: the new key is "NAME (new)" while both exist, and takes NAME
once the old key is revoked or has expired. A name never grows more than that one suffix."""

from __future__ import annotations

NEW_SUFFIX = " (new)"
MAX_NAME = 100  # MySSL's limit


def base_name(name: str) -> str:
    """"Production Server (new)" -> "Production Server" (any number of suffixes)."""
    while name.endswith(NEW_SUFFIX):
        name = name[: -len(NEW_SUFFIX)].rstrip()
    return name


def new_key_name(old_name: str) -> str:
    """The new key's name while the old one still exists, within MySSL's 100 characters."""
    return base_name(old_name)[: MAX_NAME - len(NEW_SUFFIX)].rstrip() + NEW_SUFFIX


__all__ = ["base_name", "new_key_name"]
