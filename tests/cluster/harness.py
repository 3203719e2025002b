"""Start and stop a real etcd + kube-apiserver on free loopback ports.

Used by ``python -m tests.cluster up|down`` and by the pytest session fixture, so the
control plane a developer pokes at by hand is exactly the one the tests use.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.cluster import build

USERS = {  # user -> (token, groups)
    "admin": ("admin-token", "system:masters"),
    "viewer": ("viewer-token", ""),
    "nobody": ("nobody-token", ""),
}

AUDIT_POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
"""

STATE_FILE = "cluster.json"
ETCD_QUOTA = 8 * 1024**3  # bytes; etcd's default 2 GiB fills up at 100,000 objects


class ClusterError(RuntimeError):
    pass


@dataclass
class ClusterInfo:
    directory: str
    server: str
    etcd: str
    pids: list[int]  # [etcd, kube-apiserver]
    bin_dir: str
    apiserver_argv: list[str] = field(default_factory=list)
    tied: bool = True  # the servers die with the process that started them (see _spawn)

    @property
    def audit_log(self) -> Path:
        return Path(self.directory) / "audit.log"

    def kubeconfig(self, user: str = "admin") -> str:
        return str(Path(self.directory) / f"{user}.kubeconfig")

    @property
    def kubectl(self) -> str:
        return str(Path(self.directory) / "kubectl")

    def token(self, user: str = "admin") -> str:
        return USERS[user][0]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spawn(argv: list[str], log: Path, tied: bool) -> subprocess.Popen[bytes]:
    """Start a server in its own session. ``tied``: it is killed when the process that
    started it dies, so a test run killed from outside (``timeout``, SIGKILL), which never
    reaches its fixtures' teardown, leaves no control plane behind. SIGKILL, not SIGTERM:
    kube-apiserver's graceful shutdown can take a minute, and its data is thrown away."""
    setpriv = shutil.which("setpriv") if tied else None
    if setpriv:
        argv = [setpriv, "--pdeathsig", "KILL", "--", *argv]  # exec: the pid stays the server's
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _tls_context(ca_file: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca_file))
    ctx.check_hostname = False  # the generated serving cert names 127.0.0.1 as an IP SAN only
    return ctx


def request(
    info: ClusterInfo,
    method: str,
    path: str,
    body: Any = None,
    user: str = "admin",
    content_type: str = "application/json",
) -> tuple[int, Any]:
    """A tiny admin HTTP client for harness setup; product code uses its own client."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(info.server + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {info.token(user)}")
    req.add_header("Content-Type", content_type)
    ca = Path(info.directory) / "certs" / "apiserver.crt"
    try:
        with urllib.request.urlopen(req, context=_tls_context(ca), timeout=10) as resp:
            return resp.status, _decode(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _decode(exc.read())


Call = tuple[str, str, Any, str]  # method, path, body, content type


class KeptAlive:
    """An admin HTTPS connection kept open between requests (a TLS handshake each costs
    more than the request, on a shared machine); one per thread. Reopens once it drops."""

    def __init__(self, info: ClusterInfo, timeout: float = 60) -> None:
        self._host, port = info.server.removeprefix("https://").rsplit(":", 1)
        self._port = int(port)
        self._ca = Path(info.directory) / "certs" / "apiserver.crt"
        self._timeout = timeout
        self._headers = {"Authorization": f"Bearer {info.token('admin')}"}
        self._conn: http.client.HTTPSConnection | None = None

    def request(self, call: Call) -> tuple[int, Any]:
        method, path, body, content_type = call
        data = None if body is None else json.dumps(body).encode()
        headers = {**self._headers, "Content-Type": content_type}
        for attempt in range(3):  # a kept-alive connection the server closed: open anew
            if self._conn is None:
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, context=_tls_context(self._ca), timeout=self._timeout
                )
            try:
                self._conn.request(method, path, data, headers)
                resp = self._conn.getresponse()
                return resp.status, _decode(resp.read())
            except (OSError, http.client.HTTPException):
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def requests_in_parallel(
    info: ClusterInfo, calls: Iterable[Call], workers: int = 8
) -> list[tuple[int, Any]]:
    """Many admin requests at once, for setup at scale: ``workers`` threads, each on one
    kept-alive connection. Results in the order of ``calls``."""
    local = threading.local()

    def one(call: Call) -> tuple[int, Any]:
        if getattr(local, "conn", None) is None:
            local.conn = KeptAlive(info)
        answer: tuple[int, Any] = local.conn.request(call)
        return answer

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, calls))


ETCD_TXN_OPS = 128  # etcd's default --max-txn-ops


@contextlib.contextmanager
def temporary_namespace(info: ClusterInfo) -> Iterator[str]:
    """A namespace of a fresh name for one test, deleted after it."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    status, body = request(info, "POST", "/api/v1/namespaces", {"metadata": {"name": name}})
    assert status == 201, body
    try:
        yield name
    finally:
        request(info, "DELETE", f"/api/v1/namespaces/{name}")


def put_in_etcd(info: ClusterInfo, items: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Write objects straight into etcd, 128 to a transaction, for setup at a scale the API
    cannot reach in time (100,000 objects: an hour of requests on a shared 2-core machine).

    Each item is an etcd key (``/registry/configmaps/NS/NAME``) and a whole object as the
    API server would store it (uid, creationTimestamp, managedFields; no resourceVersion,
    which comes from etcd). The API server reads JSON from etcd as well as its own protobuf
    and sees the writes through its watch, so clients meet them as created objects.
    Returns how many were written."""
    written, ops = 0, []
    for key, obj in items:
        ops.append(
            {"requestPut": {"key": _b64(key.encode()), "value": _b64(json.dumps(obj).encode())}}
        )
        if len(ops) == ETCD_TXN_OPS:
            written += _etcd_txn(info, ops)
            ops = []
    if ops:
        written += _etcd_txn(info, ops)
    return written


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode()


def _etcd_txn(info: ClusterInfo, ops: list[dict[str, Any]]) -> int:
    req = urllib.request.Request(
        info.etcd + "/v3/kv/txn", data=json.dumps({"success": ops}).encode(), method="POST"
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        answer = json.loads(resp.read())
    if not answer.get("succeeded", True) or "error" in answer:
        raise ClusterError(f"etcd transaction failed: {str(answer)[:300]}")
    return len(ops)


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode(errors="replace")


def _write_kubeconfig(path: Path, server: str, ca: Path, user: str, token: str) -> None:
    import base64

    ca_data = base64.b64encode(ca.read_bytes()).decode()
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {
                        "name": "local",
                        "cluster": {
                            "server": server,
                            "certificate-authority-data": ca_data,
                            "tls-server-name": "kubernetes",
                        },
                    }
                ],
                "users": [{"name": user, "user": {"token": token}}],
                "contexts": [
                    {
                        "name": f"{user}@local",
                        "context": {"cluster": "local", "user": user, "namespace": "default"},
                    }
                ],
                "current-context": f"{user}@local",
            },
            indent=1,
        )
    )
    path.chmod(0o600)


def _server_name(proc: subprocess.Popen[bytes]) -> str:
    """etcd or kube-apiserver, whatever wraps it (setpriv)."""
    args = [str(a) for a in proc.args] if isinstance(proc.args, list) else [str(proc.args)]
    return next((Path(a).name for a in args if a.endswith(("etcd", "kube-apiserver"))), args[0])


def _wait_ready(info: ClusterInfo, procs: list[subprocess.Popen[bytes]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise ClusterError(
                    f"{_server_name(proc)} exited with {proc.returncode};"
                    f" see logs in {info.directory}"
                )
        ca = Path(info.directory) / "certs" / "apiserver.crt"
        if ca.exists():
            try:
                status, _body = request(info, "GET", "/readyz")
                if status == 200:
                    return
                last = f"/readyz answered {status}"
            except (OSError, ssl.SSLError) as exc:
                last = str(exc)
        time.sleep(0.2)
    raise ClusterError(
        f"control plane not ready after {timeout:.0f}s ({last}); logs in {info.directory}"
    )


def aggregate_cluster_roles(info: ClusterInfo, role: str = "view") -> None:
    """Do the clusterrole-aggregation controller's job: no kube-controller-manager runs here.

    Without it the built-in ``view`` role has an aggregationRule but no rules at all.
    Tests that add ``aggregate-to-view`` roles (for a CRD, say) call this again.
    """
    selector = f"rbac.authorization.k8s.io/aggregate-to-{role}=true"
    base = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
    status, listing = request(info, "GET", f"{base}?labelSelector={selector}")
    if status != 200:
        raise ClusterError(f"cannot list aggregate-to-{role} roles: {status} {listing}")
    rules = [rule for item in listing["items"] for rule in item.get("rules") or []]
    status, body = request(
        info,
        "PATCH",
        f"{base}/{role}",
        {"rules": rules},
        content_type="application/merge-patch+json",
    )
    if status != 200:
        raise ClusterError(f"cannot aggregate the {role} ClusterRole: {status} {body}")


def _bootstrap_rbac(info: ClusterInfo) -> None:
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "driftui-test-viewer"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "viewer"}],
    }
    deadline = time.monotonic() + 30
    while True:  # the view ClusterRole is created by a post-start hook; wait for it
        status, _ = request(info, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view")
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    aggregate_cluster_roles(info)
    status, body = request(
        info, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", binding
    )
    if status not in (201, 409):
        raise ClusterError(f"cannot bind viewer to the view ClusterRole: {status} {body}")


def up(directory: str | os.PathLike[str], timeout: float = 60.0, tied: bool = True) -> ClusterInfo:
    """Start etcd and kube-apiserver in DIR and wait for /readyz. They keep running until
    :func:`down`, or (``tied``) until the calling process ends."""
    missing = build.missing_binaries(build.MODULES[:1])
    if missing:
        raise ClusterError(
            f"control-plane binaries missing from {build.bin_dir()}: {', '.join(missing)}. "
            "Build them with `python -m tests.cluster build` (make test does this)."
        )
    if shutil.which("openssl") is None:
        raise ClusterError("openssl is needed to make the service-account signing key")
    bins = build.bin_dir()
    root = Path(directory).resolve()
    root.mkdir(parents=True, exist_ok=True)
    if (root / STATE_FILE).exists():
        raise ClusterError(f"{root} already holds a running control plane; run `down` first")
    certs = root / "certs"
    certs.mkdir(exist_ok=True)
    sa_key = root / "sa.key"
    subprocess.run(
        ["openssl", "genrsa", "-out", str(sa_key), "2048"], check=True, capture_output=True
    )
    (root / "tokens.csv").write_text(
        "".join(f'{tok},{user},{user},"{groups}"\n' for user, (tok, groups) in USERS.items())
    )
    (root / "audit-policy.yaml").write_text(AUDIT_POLICY)

    etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
    etcd_url = f"http://127.0.0.1:{etcd_port}"
    etcd = _spawn(
        tied=tied,
        argv=[
            str(bins / "etcd"),
            "--name",
            "default",
            "--data-dir",
            str(root / "etcd"),
            "--listen-client-urls",
            etcd_url,
            "--advertise-client-urls",
            etcd_url,
            "--listen-peer-urls",
            f"http://127.0.0.1:{peer_port}",
            "--initial-advertise-peer-urls",
            f"http://127.0.0.1:{peer_port}",
            "--initial-cluster",
            f"default=http://127.0.0.1:{peer_port}",
            "--unsafe-no-fsync",
            "--quota-backend-bytes",  # 100,000 objects and their history (bench_scale)
            str(ETCD_QUOTA),
            "--log-level",
            "warn",
        ],
        log=root / "etcd.log",
    )
    apiserver_argv = [
        str(bins / "kube-apiserver"),
        "--etcd-servers",
        etcd_url,
        "--bind-address",
        "127.0.0.1",
        "--advertise-address",
        "127.0.0.1",
        "--secure-port",
        str(api_port),
        "--cert-dir",
        str(certs),
        "--service-account-key-file",
        str(sa_key),
        "--service-account-signing-key-file",
        str(sa_key),
        "--service-account-issuer",
        "https://kubernetes.default.svc",
        "--service-cluster-ip-range",
        "10.0.0.0/16",
        "--authorization-mode",
        "RBAC",
        "--disable-admission-plugins",
        "ServiceAccount",
        "--token-auth-file",
        str(root / "tokens.csv"),
        "--audit-policy-file",
        str(root / "audit-policy.yaml"),
        "--audit-log-path",
        str(root / "audit.log"),
        "--audit-log-mode",
        "blocking",
        "--allow-privileged",
        "--v",
        "1",
    ]
    apiserver = _spawn(apiserver_argv, root / "kube-apiserver.log", tied)
    server = f"https://127.0.0.1:{api_port}"
    info = ClusterInfo(
        str(root), server, etcd_url, [etcd.pid, apiserver.pid], str(bins), apiserver_argv, tied
    )
    (root / STATE_FILE).write_text(json.dumps(asdict(info), indent=1))
    try:
        _wait_ready(info, [etcd, apiserver], timeout)
        _bootstrap_rbac(info)
    except BaseException:
        down(root)
        raise
    ca = certs / "apiserver.crt"
    for user, (token, _) in USERS.items():
        _write_kubeconfig(root / f"{user}.kubeconfig", server, ca, user, token)
    link = root / "kubectl"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(bins / "kubectl")
    return info


def restart_apiserver(info: ClusterInfo, timeout: float = 60.0) -> None:
    """Stop kube-apiserver (if it still runs) and start it again on the same port and etcd."""
    stop_processes(info.pids[1:])
    root = Path(info.directory)
    proc = _spawn(info.apiserver_argv, root / "kube-apiserver.log", info.tied)
    info.pids[1:] = [proc.pid]
    (root / STATE_FILE).write_text(json.dumps(asdict(info), indent=1))
    _wait_ready(info, [proc], timeout)


def load(directory: str | os.PathLike[str]) -> ClusterInfo:
    return ClusterInfo(**json.loads((Path(directory) / STATE_FILE).read_text()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_processes(pids: list[int], grace: float = 10.0) -> None:
    for pid in reversed(pids):  # apiserver first, then etcd
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + grace
        while _alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.05)
        if _alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def down(directory: str | os.PathLike[str]) -> None:
    """Stop the servers started in DIR and remove their data."""
    root = Path(directory)
    state = root / STATE_FILE
    if state.exists():
        stop_processes(load(root).pids)
    shutil.rmtree(root, ignore_errors=True)
