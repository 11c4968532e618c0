"""MySSL Desktop: manage MySSL API keys, keep their secrets in the OS keychain."""

APP_NAME = "myssl-desktop"
# The single source of the version: pyproject.toml reads it (dynamic metadata), so the
# package metadata, the frozen app and User-Agent agree without importlib.metadata's
# start-up cost.
__version__ = "0.1.0"
