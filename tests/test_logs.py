from __future__ import annotations

import logging
from pathlib import Path

import pytest

from myssl_desktop.logs import RotatingFileOnFirstRecord, setup_logging
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


def test_text_redacted_before_it_is_logged_is_cut_once(tmp_path: Path) -> None:
    from myssl_desktop.redaction import redact

    path = setup_logging(tmp_path)
    secret = random_secret()
    once = redact(f"the tool printed {secret} and {secret}")
    assert redact(once) == once == f"the tool printed {secret[:12]}… and {secret[:12]}…"
    assert secret not in redact(f"{secret}…")  # a whole key followed by "…" is still cut
    logging.getLogger("myssl_desktop.test").info("output: %s", once)
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert f"output: {once}\n" in path.read_text()  # one "…", not "……"


def test_the_log_file_rotates_at_a_megabyte_and_keeps_five(tmp_path: Path) -> None:
    assert setup_logging(tmp_path) == tmp_path / "myssl-desktop.log"
    log = logging.getLogger("myssl_desktop.test")
    line = "x" * 1000
    for _ in range(7 * 1100):  # a little over seven files' worth
        log.info(line)
    for handler in logging.getLogger().handlers:
        handler.flush()
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["myssl-desktop.log", *(f"myssl-desktop.log.{n}" for n in range(1, 6))]
    assert all(p.stat().st_size <= 1_000_000 for p in tmp_path.iterdir())


def test_an_unwritable_log_file_fails_at_setup_and_logging_goes_on(tmp_path: Path) -> None:
    # The app and the command line go on without a log when setup fails; a failure at the
    # first record instead would have made every logging call raise.
    (tmp_path / "myssl-desktop.log").mkdir()  # stands for a file that cannot be written
    with pytest.raises(OSError):
        setup_logging(tmp_path)
    logging.getLogger("myssl_desktop.test").warning("still logging")


def test_a_log_file_that_cannot_be_made_later_is_reported_not_raised(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    handler = RotatingFileOnFirstRecord(tmp_path / "gone")
    (tmp_path / "gone").mkdir()  # the folder changed after set-up
    log = logging.getLogger("myssl_desktop.test.alone")
    log.propagate = False
    log.addHandler(handler)
    try:
        log.warning("first")
        log.warning("second")
    finally:
        log.removeHandler(handler)
        handler.close()
    assert capsys.readouterr().err.count("Logging error") == 2
