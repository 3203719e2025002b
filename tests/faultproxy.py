"""A TLS proxy in front of the real kube-apiserver that throttles, fails or hangs on request.

    with FaultProxy(cluster, tmp_path) as proxy:
        proxy.inject(Fault(429, retry_after="1"), times=2)   # the next 2 requests
        proxy.inject(Fault(HANG))                            # every request after those
        proxy.inject(Fault(DROP, methods=frozenset({"POST"})))  # close without an answer
        kubeconfig = proxy.kubeconfig()                      # admin token, the proxy's CA
        ...
        proxy.seen                                           # what arrived, and the answer

Every other request is forwarded to the real API server and its real answer returned, so
a test sees real throttling from the client's side without mocking the server. The proxy
terminates TLS with its own self-signed certificate (made by openssl) and listens on
127.0.0.1 only; leaving the ``with`` block stops it and releases any hung request.
"""

from __future__ import annotations

import base64
import http.client
import json
import select
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from tests.cluster.harness import ClusterInfo

HANG = 0  # a Fault with this status accepts the request and never answers
DROP = -1  # ... reads the request and closes the connection without a word
SLOW = -2  # ... holds the request for ``delay`` seconds, then forwards it as usual

_REASONS = {410: "Expired", 429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable"}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass(frozen=True)
class Fault:
    """One injected answer, for requests of ``methods`` (empty: any) whose path has ``within``."""

    status: int
    retry_after: str | None = None
    methods: frozenset[str] = frozenset()
    within: str = ""
    text: str | None = None  # a plain-text body, as a load balancer sends; default a Status
    writes_only: bool = False  # spare dry-runs: only requests that would really write
    delay: float = 0.0  # with SLOW: how long to hold the request before forwarding it
    query_has: str = ""  # only requests whose query string holds this, e.g. "watch=true"

    def matches(self, method: str, path: str, query: str = "") -> bool:
        if self.writes_only and "dryRun" in query:
            return False
        wanted = self.within in path and self.query_has in query
        return (not self.methods or method in self.methods) and wanted


@dataclass(frozen=True)
class Seen:
    """A request as the proxy saw it, and the status it answered (HANG, DROP: none)."""

    method: str
    path: str
    query: str
    status: int
    at: float = field(compare=False)  # time.monotonic() when the request arrived


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: FaultProxy

    def finish_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self.proxy.tls.wrap_socket(request, server_side=True) as tls:
            super().finish_request(tls, client_address)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up mid-handshake or mid-hang is expected here


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _handle(self) -> None:
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        proxy = self.server.proxy
        fault = proxy.take(self.command, parts.path, parts.query)
        status = fault.status if fault else 0
        if fault is not None and fault.status == DROP:
            proxy.record(Seen(self.command, parts.path, parts.query, DROP, arrived))
            self.close_connection = True
            return
        if fault is not None and fault.status == SLOW:
            time.sleep(fault.delay)
            fault = None
        if fault is not None and fault.status == HANG:
            proxy.record(Seen(self.command, parts.path, parts.query, HANG, arrived))
            self._hang()
            return
        if fault is not None:
            proxy.record(Seen(self.command, parts.path, parts.query, status, arrived))
            self._answer_fault(fault)
            return
        status, headers, data = proxy.forward(self.command, self.path, self.headers, body)
        proxy.record(Seen(self.command, parts.path, parts.query, status, arrived))
        self._answer(status, headers, data)

    def _hang(self) -> None:
        """Say nothing until the client gives up (closes) or the proxy stops."""
        self.close_connection = True
        while not self.server.proxy.stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], 0.1)
            if readable:
                return

    def _answer_fault(self, fault: Fault) -> None:
        if fault.text is not None:
            headers = [("Content-Type", "text/plain; charset=utf-8")]
            data = fault.text.encode()
        else:
            status = {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "message": f"injected {fault.status} by the fault proxy",
                "reason": _REASONS.get(fault.status, ""),
                "code": fault.status,
            }
            headers = [("Content-Type", "application/json")]
            data = json.dumps(status).encode()
        if fault.retry_after is not None:
            headers.append(("Retry-After", fault.retry_after))
        self._answer(fault.status, headers, data)

    def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "proxy.crt", directory / "proxy.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=driftui-fault-proxy",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class FaultProxy:
    """Forwards to ``cluster``'s API server except where a fault was injected."""

    def __init__(self, cluster: ClusterInfo, directory: Path) -> None:
        self.cluster = cluster
        self.directory = directory
        self.cert, key = _self_signed(directory)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(self.cert, key)
        upstream_ca = Path(cluster.directory) / "certs" / "apiserver.crt"
        self.upstream_tls = ssl.create_default_context(cafile=str(upstream_ca))
        self.upstream_tls.check_hostname = False  # the serving cert names 127.0.0.1 as IP SAN
        self.stopping = threading.Event()
        self.seen: list[Seen] = []
        self._faults: list[list[object]] = []  # [Fault, remaining count or None]
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # -- faults ----------------------------------------------------------------------------

    def inject(self, fault: Fault, times: int | None = None) -> None:
        """Answer the next ``times`` matching requests with ``fault`` (None: all of them)."""
        with self._lock:
            self._faults.append([fault, times])

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str, query: str = "") -> Fault | None:
        with self._lock:
            for entry in self._faults:
                fault, left = entry
                assert isinstance(fault, Fault)
                if not fault.matches(method, path, query):
                    continue
                if isinstance(left, int):
                    if left <= 0:
                        continue
                    entry[1] = left - 1
                return fault
        return None

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def statuses(self, method: str | None = None) -> list[int]:
        with self._lock:
            return [s.status for s in self.seen if method is None or s.method == method]

    # -- forwarding ------------------------------------------------------------------------

    def forward(
        self, method: str, target: str, headers: object, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream = urlsplit(self.cluster.server)
        conn = http.client.HTTPSConnection(
            upstream.hostname or "127.0.0.1", upstream.port, context=self.upstream_tls, timeout=60
        )
        try:
            items = headers.items()  # type: ignore[attr-defined]
            out = {k: v for k, v in items if k.lower() not in _HOP_BY_HOP}
            conn.request(method, target, body=body or None, headers=out)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    # -- clients ---------------------------------------------------------------------------

    def kubeconfig(self, user: str = "admin") -> str:
        """A kubeconfig that reaches the API server through this proxy, as ``user``."""
        path = self.directory / f"proxy-{user}.kubeconfig"
        ca = base64.b64encode(self.cert.read_bytes()).decode()
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "proxied",
                    "cluster": {"server": self.server, "certificate-authority-data": ca},
                }
            ],
            "users": [{"name": user, "user": {"token": self.cluster.token(user)}}],
            "contexts": [
                {
                    "name": f"{user}@proxied",
                    "context": {"cluster": "proxied", "user": user, "namespace": "default"},
                }
            ],
            "current-context": f"{user}@proxied",
        }
        path.write_text(json.dumps(config, indent=1))
        path.chmod(0o600)
        return str(path)
