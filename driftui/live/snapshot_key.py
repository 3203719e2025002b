"""The key that masks Secret values in snapshots, kept outside every snapshot file.

A mask is an HMAC of the value. If its key travelled with the file (as the salt once did),
anyone holding the file could run a dictionary of likely passwords against the masks. The
key therefore lives apart: ``DRIFTUI_SNAPSHOT_KEY`` (any phrase, shared out of band by the
auditors who compare snapshots), or a random key in ``$XDG_CONFIG_HOME/driftui/snapshot.key``
made on first use with mode 0600. A snapshot records only the key's id, which tells whether
two snapshots can be compared and reveals nothing about any value.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from driftui.live.snapshot import SnapshotError

KEY_ENV = "DRIFTUI_SNAPSHOT_KEY"
_KEY_FILE = "snapshot.key"


class SnapshotKeyError(SnapshotError):
    """No usable key: the message says where driftui looked and what to do."""


@dataclass(frozen=True)
class SnapshotKey:
    secret: bytes = b""
    origin: str = ""  # where it came from, for messages ("$DRIFTUI_SNAPSHOT_KEY", a path)

    @property
    def id(self) -> str:
        """A public name for the key: equal ids, comparable masks."""
        return hmac.new(self.secret, b"driftui snapshot key id", hashlib.sha256).hexdigest()[:16]


def key_from_phrase(phrase: str, origin: str = KEY_ENV) -> SnapshotKey:
    return SnapshotKey(hashlib.sha256(b"driftui snapshot key\0" + phrase.encode()).digest(), origin)


def key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "driftui" / _KEY_FILE


def load_key(*, create: bool) -> SnapshotKey | None:
    """``$DRIFTUI_SNAPSHOT_KEY``, else the key file; with ``create``, a new key file."""
    phrase = os.environ.get(KEY_ENV, "")
    if phrase:
        return key_from_phrase(phrase)
    path = key_file()
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return _create(path) if create else None
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotKeyError(f"cannot read the snapshot key {path}: {exc}") from None
    if not text:
        raise SnapshotKeyError(f"the snapshot key file {path} is empty")
    return key_from_phrase(text, str(path))


def _create(path: Path) -> SnapshotKey:
    """A new random key, written with mode 0600 and never over an existing one."""
    phrase = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by a concurrent run: use that one
        found = load_key(create=False)
        if found is None:
            raise SnapshotKeyError(f"the snapshot key {path} vanished while being made") from None
        return found
    except OSError as exc:
        raise SnapshotKeyError(f"cannot create the snapshot key {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(phrase + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key_from_phrase(phrase, str(path))


def key_for(key_id: str, path: str) -> SnapshotKey:
    """The key a snapshot's masks were made with, or a clear error naming what is missing."""
    key = load_key(create=False)
    if key is None:
        raise SnapshotKeyError(
            f"{path}: its Secrets were masked with snapshot key {key_id}, and no key is set:"
            f" set {KEY_ENV} to the phrase it was taken with, or copy the key file to {key_file()}"
        )
    if key.id != key_id:
        raise SnapshotKeyError(
            f"{path}: its Secrets were masked with snapshot key {key_id}, but the key from"
            f" {key.origin} is {key.id}: set {KEY_ENV} to the phrase it was taken with"
        )
    return key
