"""What every part of a scanner shares: its state, its client, and where objects go.

The state is set here so that each part beside this one (:mod:`.git_reading`,
:mod:`.live_reading`, :mod:`.judging_phases`) is type-checked against it;
:class:`~driftui.engine.scanner.Scanner` joins the parts.
"""

from __future__ import annotations

import secrets
import threading

from driftui.compare.merge_keys import MergeKeys
from driftui.compare.options import CompareOptions
from driftui.config import Config
from driftui.engine.ahead import DiscoveryAhead
from driftui.engine.defaults_store import defaults_root, private_source
from driftui.engine.live_side import LiveSide, Wanted
from driftui.engine.options import ScanOptions
from driftui.engine.prediction import DryRunPredictor
from driftui.engine.rejudge import Basis
from driftui.engine.verdict import Verdicts
from driftui.gate import MutationGate
from driftui.live.access import AccessReview
from driftui.live.client import ClusterClient
from driftui.live.pod_cache import PodCache
from driftui.live.snapshot import Snapshot, read_snapshot
from driftui.live.workload_pods import WorkloadPods
from driftui.model import Fidelity
from driftui.source.git_repo import GitRepo
from driftui.source.render import Capabilities


class ScannerParts:
    """A scanner's state, and what its Git, live and judging parts all ask for."""

    def __init__(self, options: ScanOptions, gate: MutationGate | None = None) -> None:
        self.options = options
        self.gate = gate or MutationGate(read_only=options.read_only)
        self._client: ClusterClient | None = None
        self._merge_keys: MergeKeys | None = None
        self._predictor = DryRunPredictor(options.server_side, store_root=defaults_root(options))
        self._verdicts = Verdicts(self._predictor, private=private_source(options))
        self.config: Config | None = None
        # The HMAC key of Secret masks: random per Scanner (masks stay equal across
        # refreshes, and mean nothing outside this process), or the snapshot key when
        # `snapshot` writes masks that later audits must reproduce.
        self.mask_key: bytes = secrets.token_bytes(32)
        self._last: tuple[LiveSide, CompareOptions, Fidelity, str] | None = None
        self._capabilities: Capabilities | None = None
        self._snapshot: Snapshot | None = None  # read once per scan, when first needed
        self.render_warning = ""  # set when charts could not render for the cluster's version
        self.workload_pods = WorkloadPods()  # the last scan's, for health; a snapshot keeps them
        self._pod_cache = PodCache()  # rescans and rejudges re-read only the Pods that changed
        self._basis: Basis | None = None  # what the last scan judged with, for rejudge()
        self._wanted: Wanted | None = None  # the kinds and namespaces the last scan LISTed
        self._lock = threading.Lock()  # a scan and a rejudge never run at once
        self._client_lock = threading.Lock()  # one client, made by a scan or ahead of it
        self._ahead: DiscoveryAhead | None = None  # the cluster read while Git is
        self._commit = ""  # the commit the last scan read
        self._repo: GitRepo | None = None  # the repository, when opened once for many scanners

    def client(self) -> ClusterClient:
        """The cluster's client; from here on the gate asks the cluster's own RBAC too."""
        with self._client_lock:
            if self._client is None:
                self._client = ClusterClient.from_kubeconfig(
                    self.options.kubeconfig,
                    self.options.context,
                    gate=self.gate,
                    timeout=self.options.request_timeout,
                    pool_size=max(16, self.options.concurrency, self.options.list_workers),
                )
                if self.gate.probe is None and not self.gate.read_only:
                    self.gate.probe = AccessReview(self._client)
            return self._client

    def _read_snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = read_snapshot(self.options.live_snapshot or "", self.options.context)
        return self._snapshot

    def default_namespace(self) -> str:
        """Where objects that name no namespace go: --namespace (an app's destination), else
        the context's (a snapshot's: ``default``)."""
        if self.options.namespace:
            return self.options.namespace
        return "default" if self.options.live_snapshot else self.client().namespace

    def fidelity(self) -> Fidelity:
        if self.options.live_snapshot or self._client_side_only():
            return Fidelity.CLIENT_SIDE
        return Fidelity.SERVER_SIDE

    def _client_side_only(self) -> bool:
        return self.gate.read_only or self.options.server_side is False
