"""Keep one kind's live objects current: LIST once, then WATCH from that resourceVersion.

client-go's reflector, in the small: the LIST's resourceVersion is where the WATCH starts, so
no change between them is lost; bookmarks move that point on while nothing changes; a dropped
connection resumes from the last version seen, and only a 410 Gone (history compacted away)
costs a fresh LIST, whose differences from the store are reported as changes too. Each change
is handed on as the :class:`ObjectRef` that changed; the store holds the object itself.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from driftui.live.client import ClusterClient
from driftui.live.discovery import ResourceInfo
from driftui.live.errors import ApiError, ClusterError, api_error
from driftui.live.event_decoding import EventDecoder
from driftui.live.reader import CLUSTER
from driftui.model import ObjectRef

WATCH_SECONDS = 300  # the server ends each watch after this; we reconnect from the last version
READ_MARGIN = 30.0  # seconds past timeoutSeconds before a silent connection counts as dead
RETRY_WAIT = 1.0  # seconds before reconnecting after a dropped connection or a failed LIST
GONE = 410

Changed = Callable[[list[ObjectRef]], None]


class Gone(Exception):
    """The server no longer holds history from our resourceVersion: LIST again."""


class Refused(Exception):
    """403: this user may not list or watch the kind here."""


@dataclass(frozen=True)
class WatchTarget:
    """One LIST+WATCH: a kind in one namespace, or cluster-wide (namespace ``""``)."""

    info: ResourceInfo
    namespace: str = CLUSTER
    keep: frozenset[str] = frozenset()  # cluster-wide LIST of a namespaced kind: these only

    def wanted(self, item: dict[str, Any]) -> bool:
        namespace = str((item.get("metadata") or {}).get("namespace") or "")
        return not self.keep or namespace in self.keep


def _version(item: dict[str, Any]) -> str:
    return str((item.get("metadata") or {}).get("resourceVersion") or "")


class Informer:
    """A thread that keeps :attr:`store` equal to the server's view of one :class:`WatchTarget`."""

    def __init__(
        self,
        client: ClusterClient,
        target: WatchTarget,
        on_change: Changed,
        *,
        watch_seconds: int = WATCH_SECONDS,
    ) -> None:
        self.client = client
        self.target = target
        self.on_change = on_change
        self.watch_seconds = watch_seconds
        self.version = ""  # where the next WATCH starts; "" means LIST first
        self.synced = threading.Event()  # the first LIST is in the store
        self.answered = threading.Event()  # a WATCH was accepted, or the server refused
        self.refused = ""  # why the server refused (403): the caller falls back
        self.error = ""  # the last failure, kept while retrying
        self.lists = 0  # LISTs sent: 1, plus one per 410 Gone
        self.watches = 0  # WATCH requests sent: after a drop, the next resumes from `version`
        self._store: dict[ObjectRef, dict[str, Any]] = {}
        self.decoder = EventDecoder()  # the objects of its events share what repeats
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._response: Any = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="informer")

    # -- what callers read ---------------------------------------------------------------

    def get(self, ref: ObjectRef) -> dict[str, Any] | None:
        with self._lock:
            return self._store.get(ref)

    def objects(self) -> dict[ObjectRef, dict[str, Any]]:
        """A copy of the store (the objects themselves are shared, never edited in place)."""
        with self._lock:
            return dict(self._store)

    def share(self, objects: Mapping[ObjectRef, dict[str, Any]]) -> int:
        """Hold ``objects`` in place of the store's own copies of the same versions; how many.

        The first LIST repeats the scan's: without this the explorer held two copies of
        every object it watches (~25 MB of 10,000 ConfigMaps) until churn replaced them.
        Objects are never edited in place, so one copy serves both."""
        shared = 0
        with self._lock:
            for ref, mine in self._store.items():
                theirs = objects.get(ref)
                if theirs is not None and theirs is not mine and _version(theirs) == _version(mine):
                    self._store[ref] = theirs  # a value replaced, not a key: iteration holds
                    shared += 1
        return shared

    def start(self) -> Informer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        response = self._response
        if response is not None:  # unblocks the read the thread waits in
            _interrupt(response)
        self._thread.join(timeout=READ_MARGIN)

    def drop_connection(self) -> None:
        """Close the open WATCH as a network fault would; the loop resumes from :attr:`version`."""
        response = self._response
        if response is not None:
            _interrupt(response)

    # -- the loop ------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                if not self.version:
                    self._relist()
                self._watch()
                self.error = ""
            except Gone:
                self.version = ""
            except Refused as refused:
                self.refused = str(refused)
                self.synced.set()  # nothing more will come: let waiters see why
                self.answered.set()
                return
            except Exception as exc:  # a drop, a 5xx, a bad line: reconnect from `version`
                self.error = str(exc) or type(exc).__name__
                self.answered.set()  # failing, not refused: it retries, the header says so
                self._stopping.wait(RETRY_WAIT)

    def _relist(self) -> None:
        """LIST every page at one resourceVersion, and report what differs from the store."""
        items, version = self._list()
        fresh = {}
        for item in items:
            item.setdefault("apiVersion", self.target.info.api_version)
            item.setdefault("kind", self.target.info.kind)
            fresh[ObjectRef.of(item)] = item
        with self._lock:
            old, self._store = self._store, fresh
        self.version, self.lists = version, self.lists + 1
        changed = [r for r in fresh.keys() | old.keys() if _differs(old.get(r), fresh.get(r))]
        if changed:
            self.on_change(changed)
        self.synced.set()

    def _list(self) -> tuple[list[dict[str, Any]], str]:
        path = self.target.info.path(self.target.namespace)
        items: list[dict[str, Any]] = []
        token, version = "", ""
        while True:
            query = [("limit", "500")] + ([("continue", token)] if token else [])
            try:
                page = self.client.get(path, query)
            except ApiError as exc:
                if exc.status == 403:
                    raise Refused(f"forbidden: list {self._what()}") from None
                if exc.status == GONE:  # the continue token expired mid-LIST
                    token, version, items = "", "", []
                    continue
                raise
            meta = page.get("metadata") or {}
            version = version or str(meta.get("resourceVersion") or "")
            items += [i for i in page.get("items") or [] if self.target.wanted(i)]
            token = str(meta.get("continue") or "")
            if not token:
                return items, version

    def _watch(self) -> None:
        """One WATCH from :attr:`version` until the server ends it or the connection drops."""
        query = [
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("resourceVersion", self.version),
            ("timeoutSeconds", str(self.watch_seconds)),
        ]
        path = self.target.info.path(self.target.namespace)
        self.watches += 1
        try:
            response = self.client.stream(path, query, self.watch_seconds + READ_MARGIN)
        except ApiError as exc:
            self._refuse(exc.status, "watch")
            raise
        self._response = response
        try:
            if response.status != 200:
                self._refuse(response.status, "watch")
                raise api_error(response.status, response.read(), self.client.server)
            self.answered.set()
            for event in _events(response, self.decoder.decode):
                if self._stopping.is_set():
                    return
                self._apply(event)
        except Exception as exc:
            if self._stopping.is_set():
                return  # stop() closed the connection under the read
            if isinstance(exc, (Gone, Refused, ClusterError)):
                raise
            raise ClusterError(f"watch {self._what()} dropped: {exc}") from None
        finally:
            self._response = None
            _close(response)

    def _refuse(self, status: int, verb: str) -> None:
        """403 and 410 end the watch in their own way; other answers are retried."""
        if status == 403:
            raise Refused(f"forbidden: {verb} {self._what()}")
        if status == GONE:
            raise Gone()

    def _apply(self, event: dict[str, Any]) -> None:
        kind, obj = event.get("type"), event.get("object") or {}
        if kind == "ERROR":
            if obj.get("code") == GONE:
                raise Gone()
            raise ClusterError(f"watch {self._what()}: {obj.get('message') or obj}")
        version = _version(obj)
        if kind == "BOOKMARK":
            self.version = version or self.version
            return
        if not self.target.wanted(obj):
            self.version = version or self.version
            return
        obj.setdefault("apiVersion", self.target.info.api_version)
        obj.setdefault("kind", self.target.info.kind)
        ref = ObjectRef.of(obj)
        with self._lock:
            if kind == "DELETED":
                self._store.pop(ref, None)
            else:
                self._store[ref] = obj
        self.version = version or self.version
        self.on_change([ref])

    def _what(self) -> str:
        info = self.target.info
        what = f"{info.resource}.{info.group}" if info.group else info.resource
        where = f" in namespace {self.target.namespace}" if self.target.namespace else ""
        return what + where


def _differs(old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    if old is None or new is None:
        return old is not new
    return _version(old) != _version(new)


def _events(response: Any, decoded: Callable[[bytes], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Watch events, one JSON document a line, however the chunks split them."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=False):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                yield decoded(line)
    if pending.strip():
        yield decoded(pending)


def _interrupt(response: Any) -> None:
    """End a WATCH another thread is reading. Closing the response alone is not enough: the
    buffered reader's close waits for the read in progress, which lasts until the server's
    timeoutSeconds. Shutting the socket down makes that read return at once."""
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    _close(response)


def _close(response: Any) -> None:
    try:
        response.close()
        response.release_conn()
    except Exception:  # already closed by the other thread: nothing left to free
        pass
