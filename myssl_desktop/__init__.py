"""MySSL Desktop: manage MySSL API keys, keep their secrets in the OS keychain."""

from importlib import metadata

APP_NAME = "myssl-desktop"

try:
    __version__ = metadata.version(APP_NAME)
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
