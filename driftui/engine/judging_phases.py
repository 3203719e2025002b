"""A scanner's judging phases, which a scan of many apps shares (:mod:`.app_scan`):
Git's objects placed in their namespaces (:meth:`~JudgingPhases.prepare`), judged against
the live side, and concluded with duplicates and extras into the source's report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from driftui.compare.merge_keys import MergeKeys
from driftui.engine.dry_runs import Batch
from driftui.engine.extras import find_extras
from driftui.engine.judging import (
    Judging,
    Loaded,
    OwnApp,
    duplicate_errors,
    fill_namespace,
    source_apps,
    source_report,
)
from driftui.engine.judging_apart import Judge, judge_split
from driftui.engine.live_side import LiveSide
from driftui.engine.ordering import in_ref_order
from driftui.engine.rejudge import Basis
from driftui.engine.scanner_parts import ScannerParts
from driftui.gitops.apps import owning_apps
from driftui.gitops.ignores import app_scoped_rules
from driftui.model import (
    DesiredState,
    DriftResult,
    Fidelity,
    LoadProblem,
    Manifest,
    ObjectRef,
    ScanReport,
)
from driftui.runtime.pacing import paced
from driftui.runtime.progress import ProgressFn, no_progress
from driftui.source.load import split_duplicates


class JudgingPhases(ScannerParts):
    """Git's objects judged against the live side: prepare, the verdicts, conclude."""

    def judge_loaded(
        self,
        loaded: Loaded,
        live: LiveSide,
        *,
        own: OwnApp | None = None,
        progress: ProgressFn = no_progress,
    ) -> ScanReport:
        """Git's objects judged against ``live``, extras found, without health (the caller
        adds it once for all): :meth:`prepare`, the verdicts, :meth:`conclude`."""
        judging = self.prepare(loaded, live, own=own)
        judge = Judge(
            self._verdicts, live, judging.options, self.fidelity(), self.options.concurrency
        )
        order = self.judging_order(judging.manifests)
        split = self.options.judge_apart and own is None
        judged = judge_split(judge, order, progress) if split else judge.all(order, progress)
        return self.conclude(judging, live, judged)

    def prepare(self, loaded: Loaded, live: LiveSide, *, own: OwnApp | None = None) -> Judging:
        """Git's objects placed in their namespaces, and the options they are judged with.
        ``own``: an app's scan, judged with that app's own ignore rules only; else each
        owning app's rules, read from the cluster, on its objects."""
        options = loaded.config.compare_options(self._merge_keys or MergeKeys.builtin())
        if own is not None:
            options = replace(options, ignore=options.ignore + own.rules)
        elif live.client is not None:  # honour each owning app's own rules, on its objects only
            objects = live.state.objects.values()
            apps = [(a.owner, a.body) for a in owning_apps(live.client, objects)]
            options = replace(options, ignore=options.ignore + app_scoped_rules(apps, objects))
        default_ns, force = self.default_namespace(), self.options.force_namespace
        self._last = (live, options, self.fidelity(), default_ns)
        manifests = [
            fill_namespace(m, live.scope.is_namespaced(m.ref.group, m.ref.kind), default_ns, force)
            for m in paced(loaded.desired.manifests)
        ]
        # Identities are compared again once namespaces are filled in: `web` and
        # `default/web` are one object.
        manifests, late = split_duplicates(manifests)
        return Judging(loaded, manifests, options, loaded.desired.problems + late, own)

    def batch(self, judging: Judging) -> Batch:
        """What :func:`~.dry_runs.judge_batches` judges of this source, beside others."""
        return Batch(self._verdicts, self.judging_order(judging.manifests), judging.options)

    def conclude(
        self,
        judging: Judging,
        live: LiveSide,
        judged: list[DriftResult],
        candidates: Iterable[ObjectRef] | None = None,
    ) -> ScanReport:
        """The verdicts with duplicates and extras: the source's report (without health).
        ``candidates``: the live objects that may be extras (default: all)."""
        manifests, own, tracking = judging.manifests, judging.own, judging.loaded.config.tracking
        results = duplicate_errors(judging.problems) + judged
        apps = source_apps(manifests, live, tracking) | ({own.owner} if own else set())
        declared = {m.ref for m in paced(manifests)}
        for result in paced(results):  # not a set union: its ~100,000 ref comparisons run
            declared.add(result.ref)  # in Python, unpaced (93 ms of a key, bench_scale)
        scope = {m.ref.namespace for m in paced(manifests)} | {self.default_namespace()}
        refused = self.options.prune_refused
        results += find_extras(live, declared, apps, scope, tracking, candidates, refused)
        fidelity = self.fidelity()
        self._basis = Basis(
            {m.ref: m for m in paced(manifests)},
            live,
            judging.options,
            fidelity,
            declared,
            apps,
            scope,
            tracking,
            self._pod_cache,
            refused,
        )
        results = in_ref_order(results)
        loaded = judging.loaded
        return self._report(
            loaded.desired, live, fidelity, results, judging.problems, loaded.warnings
        )

    def _report(
        self,
        desired: DesiredState,
        live: LiveSide,
        fidelity: Fidelity,
        results: list[DriftResult],
        problems: list[LoadProblem],
        config_warnings: list[str],
    ) -> ScanReport:
        client_side = self._predictor.client_side_reasons(fidelity, results, live)
        return source_report(
            desired, live, fidelity, client_side, results, problems, config_warnings
        )

    def judge(self, objects: Iterable[tuple[dict[str, Any], str]]) -> list[DriftResult]:
        """Verdicts for desired objects that are not at the scanned commit (a revert's result),
        against the live state the last :meth:`scan` read. ``objects``: (body, source file)."""
        if self._last is None:
            raise RuntimeError("judge() needs a scan() first")
        live, options, fidelity, default_ns = self._last
        out = []
        for body, source_file in objects:
            digest = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
            manifest = Manifest(
                ObjectRef.of(body), str(body.get("apiVersion", "")), body, source_file, digest
            )
            scope = live.scope.is_namespaced(manifest.ref.group, manifest.ref.kind)
            out.append(
                self._verdicts.judge(
                    fill_namespace(manifest, scope, default_ns, self.options.force_namespace),
                    live,
                    options,
                    fidelity,
                )
            )
        return out

    def placed(self, ref: ObjectRef) -> ObjectRef:
        """``ref`` as the cluster names it: the namespace filled in as the last scan did."""
        if self._last is None:
            raise RuntimeError("placed() needs a scan() first")
        live, _, _, default_ns = self._last
        namespaced = live.scope.is_namespaced(ref.group, ref.kind)
        if namespaced is False:
            return replace(ref, namespace="")
        return replace(ref, namespace=default_ns) if namespaced and not ref.namespace else ref

    def judging_order(self, manifests: list[Manifest]) -> list[Manifest]:
        """The order objects are judged in; results are sorted afterwards, so any will do."""
        return manifests
