"""Logging to a rotating file in the log folder, with every key cut to its prefix."""

from __future__ import annotations

import logging
from pathlib import Path

from .api.secret import redact

LOG_FILE = "myssl-desktop.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Rewrites each record so that any `myssl_k_…` text shows only its 12-character prefix.

    Applied to the handlers, so it covers records from every library, tracebacks included.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RotatingFileOnFirstRecord(logging.Handler):
    """The rotating log file (1 MB, and five older ones), made when the first record comes:
    importing `logging.handlers` takes ~3 ms that the window's first key list would otherwise
    wait for. All it does runs under this handler's lock, as the file handler's own did."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:  # called under this handler's lock
        if self._file is None:
            import logging.handlers

            try:
                self._file = logging.handlers.RotatingFileHandler(self.path, maxBytes=1_000_000, backupCount=5,
                                                                  encoding="utf-8")
            except OSError:
                self.handleError(record)  # said on stderr, as a failing write is; the logging call goes on
                return
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def flush(self) -> None:
        self.acquire()
        try:
            if self._file is not None:
                self._file.flush()
        finally:
            self.release()

    def close(self) -> None:
        self.acquire()
        try:
            if self._file is not None:
                self._file.close()
        finally:
            self.release()
        super().close()


def setup_logging(log_dir: Path, *, level: int = logging.INFO, to_stderr: bool = False) -> Path:
    """Send the root logger to `log_dir/myssl-desktop.log` (1 MB, and five older ones), redacted.
    Raises OSError, logging nothing, where that file cannot be written."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    path.open("a", encoding="utf-8").close()  # the file itself is opened at the first record
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_myssl", False):
            root.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = [RotatingFileOnFirstRecord(path)]
    if to_stderr:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.addFilter(RedactSecrets())
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._myssl = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # httpx logs each request line at INFO; keep the file about our app.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
