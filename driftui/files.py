"""Every file driftui writes is written whole or not at all.

A report written over the previous one on a full disk must not leave a truncated file
behind, nor destroy the old one: the bytes go to a temporary file in the same directory,
are flushed to disk, and only then renamed over the target (rename is atomic within a
file system). On any failure the temporary file is removed and the error names the target.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from driftui.errors import DriftuiError


class WriteError(DriftuiError, OSError):
    """A file could not be written; the previous file, if any, is untouched."""

    def __init__(self, errno: int | None, message: str, path: Path) -> None:
        OSError.__init__(self, errno, message)  # errno kept for callers that test it
        self.concerns = str(path)

    def __str__(self) -> str:
        return str(self.strerror)  # one plain line, without OSError's "[Errno 28]"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(
    path: str | os.PathLike[str],
    data: str | bytes,
    *,
    mode: int | None = None,
) -> None:
    """Write ``data`` to ``path`` atomically. ``mode`` defaults to 0666 less the umask.

    A private file (``mode=0o600``) is never readable by others, not even for a moment:
    the temporary file is created with that mode before anything is written to it.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    final_mode = (0o666 & ~_umask()) if mode is None else mode
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(exc.errno, f"cannot write {target}: {exc.strerror}", target) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), final_mode)
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteError(
                exc.errno, f"cannot write {target}: {exc.strerror or exc}", target
            ) from None
        raise
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
