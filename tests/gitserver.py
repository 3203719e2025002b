"""A real Git server on 127.0.0.1 for tests: ``git http-backend`` behind a tiny HTTP server.

    with serve_git(tmp_path / "srv") as base_url:          # repos are ROOT/<name>.git
        url = f"{base_url}/app.git"                           # clone, fetch and push work

    with serve_git(root, auth=("alice", "s3cret")) as base_url:
        ...                                                   # Basic auth required (401 without)

    with serve_hanging() as url:                              # accepts, never answers
        ...

Every server is stopped (and its port closed) when the ``with`` block ends. Each request
runs the real CGI from Debian's git, so protocol v2, pushes and rejections are genuine.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


def _git_exec_path() -> str:
    return subprocess.run(
        ["git", "--exec-path"], capture_output=True, text=True, check=True
    ).stdout.strip()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    root: Path
    auth: tuple[str, str] | None
    backend: str
    log: list[str] | None  # every request ("GET /path?query"), when the test asks for them


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._cgi()

    def do_POST(self) -> None:
        self._cgi()

    def _authorised(self) -> bool:
        if self.server.auth is None:
            return True
        user, password = self.server.auth
        expected = base64.b64encode(f"{user}:{password}".encode()).decode()
        return self.headers.get("Authorization", "") == f"Basic {expected}"

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _cgi(self) -> None:
        if not self._authorised():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="driftui-test"')
            self.end_headers()
            return
        parts = urlsplit(self.path)
        if self.server.log is not None:  # list.append is atomic: no lock needed
            self.server.log.append(f"{self.command} {self.path}")
        body = self._body() if self.command == "POST" else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.server.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REMOTE_USER": "driftui-test",  # enables receive-pack (push)
            "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.server.root),
        }
        done = subprocess.run(
            [self.server.backend], input=body, capture_output=True, env=env, check=False
        )
        head, payload = _split_cgi(done.stdout)
        status = 200
        headers: list[tuple[str, str]] = []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _split_cgi(output: bytes) -> tuple[bytes, bytes]:
    """CGI headers end at the first blank line (CRLF or LF)."""
    ends = [(output.find(sep), sep) for sep in (b"\r\n\r\n", b"\n\n") if sep in output]
    if not ends:
        return output, b""
    index, sep = min(ends)
    return output[:index], output[index + len(sep) :]


@contextlib.contextmanager
def serve_git(
    root: str | os.PathLike[str],
    auth: tuple[str, str] | None = None,
    port: int = 0,
    log: list[str] | None = None,
) -> Iterator[str]:
    """Serve the bare repositories under ``root`` at the yielded ``http://127.0.0.1:PORT``.

    Pass the ``port`` of an earlier server to bring "the same remote" back. With ``log``,
    every request is appended to it as ``"METHOD /path?query"`` (a clone or fetch begins
    with ``GET /NAME.git/info/refs?service=git-upload-pack``).
    """
    server = _Server(("127.0.0.1", port), _Handler)
    server.root = Path(root).resolve()
    server.auth = auth
    server.log = log
    server.backend = os.path.join(_git_exec_path(), "git-http-backend")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def serve_hanging(port: int = 0) -> Iterator[str]:
    """An HTTP "server" that accepts connections and never answers (a hung remote).

    With the ``port`` of a stopped :func:`serve_git`, the same URL now hangs.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                conn, _ = listener.accept()
                held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=10)
        for conn in held:
            conn.close()
        listener.close()


@contextlib.contextmanager
def serve_git_daemon(root: str | os.PathLike[str]) -> Iterator[str]:
    """``git daemon`` on 127.0.0.1 (git:// protocol, push enabled) for the repos under root."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [
            "git",
            "daemon",
            "--export-all",
            "--enable=receive-pack",
            f"--base-path={Path(root).resolve()}",
            "--listen=127.0.0.1",
            f"--port={port}",
            "--reuseaddr",
            "--informative-errors",
            str(Path(root).resolve()),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, proc)
        yield f"git://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError("git daemon exited before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
            return
        time.sleep(0.05)
    raise RuntimeError("git daemon did not start listening")


def make_bare(root: str | os.PathLike[str], name: str, source: str | os.PathLike[str]) -> Path:
    """Publish the work tree repo ``source`` as ``ROOT/name`` (a bare clone) and return it."""
    target = Path(root) / name
    if target.exists():
        shutil.rmtree(target)
    subprocess.run(
        ["git", "clone", "--bare", "--quiet", "--", str(source), str(target)],
        check=True,
        capture_output=True,
    )
    return target
