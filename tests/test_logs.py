from __future__ import annotations

import logging
from pathlib import Path

from myssl_desktop.logs import setup_logging
from tests.support import random_secret


def test_log_file_cuts_keys_to_their_prefix(tmp_path: Path) -> None:
    path = setup_logging(tmp_path)
    secret = random_secret()
    log = logging.getLogger("myssl_desktop.test")
    log.info("signed in with %s", secret)
    log.warning(f"header Bearer {secret} seen")
    try:
        raise ValueError(f"bad key {secret}")
    except ValueError:
        log.exception("failure")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert secret not in text
    assert text.count(secret[:12] + "…") == 3
    assert "ValueError" in text  # the traceback is kept, only redacted
    setup_logging(tmp_path)  # calling again replaces, not duplicates, our handlers
    assert sum(getattr(h, "_myssl", False) for h in logging.getLogger().handlers) == 1
