"""What one whole-CLI run costs, beside its wall time: its own CPU seconds, the control
plane's CPU seconds, and the requests the audit log recorded (issue 21).

On a loaded machine wall time mostly measures the load; CPU seconds and request counts do
not, so the benchmark prints them beside it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.list_reads import list_reads, pages_since
from tests.cluster.harness import ClusterInfo

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Cost:
    """One run: seconds of wall time, of its own CPU, of the servers' CPU; its requests."""

    wall: float
    cpu: float
    server_cpu: float
    requests: Counter[str] = field(default_factory=Counter)

    @property
    def total_cpu(self) -> float:
        return self.cpu + self.server_cpu

    def line(self) -> str:
        asked = ", ".join(f"{n} {what}" for what, n in sorted(self.requests.items()))
        return (
            f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU + {self.server_cpu:.2f} s"
            f" apiserver/etcd CPU; requests: {asked or 'none'}"
        )


def server_cpu(cluster: ClusterInfo) -> float:
    """CPU seconds etcd and kube-apiserver have used so far."""
    total = 0
    for pid in cluster.pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def requests_since(cluster: ClusterInfo, offset: int) -> Counter[str]:
    """The requests the audit log recorded after byte ``offset``: dry-run apply, dry-run
    create, other writes, reads."""
    out: Counter[str] = Counter()
    with cluster.audit_log.open("rb") as log:
        log.seek(offset)
        for line in log:
            event = json.loads(line)
            verb, uri = event.get("verb", ""), event.get("requestURI", "")
            if str((event.get("user") or {}).get("username", "")).startswith("system:"):
                continue  # the control plane's own bookkeeping
            if (event.get("objectRef") or {}).get("resource") == "selfsubjectaccessreviews":
                out["access reviews"] += 1
            elif "dryRun=All" in uri:
                out[f"dry-run {'apply' if verb == 'patch' else verb}"] += 1
            else:
                out["reads" if verb in ("get", "list", "watch") else verb] += 1
    return out


def compile_driftui() -> None:
    """Write driftui's bytecode, as an installed package ships it (pip compiles on install).

    An editable install run with PYTHONDONTWRITEBYTECODE (as this machine's shells set it)
    compiles every module from source in every new process: 0.2 s of CPU of each CLI run
    that no user pays. Run before the timed runs, so edited modules are compiled too."""
    package = Path(__file__).resolve().parent.parent / "driftui"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def run_costed(
    cluster: ClusterInfo, argv: list[str], env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], Cost]:
    """``argv`` in a new process, with what it cost; driftui's bytecode written first."""
    compile_driftui()
    pages = list_reads([cluster])
    offset = cluster.audit_log.stat().st_size
    before_cpu, before_server = _children_cpu(), server_cpu(cluster)
    t = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - t
    cost = Cost(
        wall,
        _children_cpu() - before_cpu,
        server_cpu(cluster) - before_server,
        requests_since(cluster, offset),
    )
    read = pages_since(pages, [cluster])  # after the audit log is read: it records this request
    cost.requests["list pages from the watch cache"] = read["cache"]
    cost.requests["list pages from etcd"] = read["etcd"]
    return done, cost


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"
