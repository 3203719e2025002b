"""A kubeconfig's token is refreshed when it is due, not before every request: the official
client re-read the whole kubeconfig (and ran an exec plugin whose token is near expiry)
once per request, the largest cost of a dry-run on our side (issue 21)."""

from __future__ import annotations

from pathlib import Path

from driftui.gate import MutationGate
from driftui.live.client import ClusterClient
from tests.cluster.harness import ClusterInfo
from tests.live.test_kubeconfig import CONFIGMAPS, exec_plugin, one_user, write


class StillClock:
    """Time moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def spread(self) -> float:
        return 0.5


def test_a_token_near_expiry_is_refreshed_once_a_second_not_per_request(
    cluster: ClusterInfo, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    # Expiring within the client's five minutes of margin: every refresh runs the plugin.
    script = (
        "import datetime, json\n"
        f"open({str(runs)!r}, 'a').write('run\\n')\n"
        "soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',"
        " 'kind': 'ExecCredential', 'status': {"
        f"'token': {cluster.token('viewer')!r},"
        " 'expirationTimestamp': soon.strftime('%Y-%m-%dT%H:%M:%SZ')}}))\n"
    )
    path = write(tmp_path / "exec", one_user(cluster, "plugin", exec_plugin(script)))
    clock = StillClock()
    client = ClusterClient.from_kubeconfig(path, gate=MutationGate(read_only=True), clock=clock)
    loaded = len(runs.read_text().splitlines())
    for _ in range(10):
        assert isinstance(list(client.list_items(CONFIGMAPS)), list)
    assert len(runs.read_text().splitlines()) == loaded + 1  # not ten: one per second
    clock.now += 1.0
    assert isinstance(list(client.list_items(CONFIGMAPS)), list)
    assert len(runs.read_text().splitlines()) == loaded + 2  # due again, and refreshed
