"""GitHub Actions workflow commands: one annotation per object that needs care.

``::warning file=apps/web.yaml,line=12,title=…::message`` shows on the manifest line in a
pull request's diff. Text is escaped by the runner's own rules (actions/toolkit's
``escapeData`` and ``escapeProperty``): ``%``, CR and LF everywhere, and ``:`` and ``,`` in
properties too, so an object's name can never end the command or start another one.
Control characters are made visible first, as in every other output.

Health sits beside drift: a Degraded object gets an annotation of its own, titled
``driftui: Degraded``, whatever its drift verdict. It is a ``notice`` (shown on the line,
not counted as a problem); with ``--fail-on-health``, which makes it fail the run, it is a
``warning`` like drift. Other health states (Progressing, Suspended, Unknown) are not
annotated: they are transient, intended or not about the manifest line.
"""

from __future__ import annotations

from driftui.model import DriftResult, LoadProblem, ScanReport, Status
from driftui.report.health import health_counts, health_label, is_degraded
from driftui.report.location import Location, Locator, of_problem
from driftui.report.text import needs_care, summary
from driftui.safe_text import safe

_DATA = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY = {**_DATA, ":": "%3A", ",": "%2C"}


def _escape(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(char, char) for char in safe(text, multiline=True))


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF escaped (a newline shows as one)."""
    return _escape(text, _DATA)


def escape_property(text: str) -> str:
    """A property value (file, title): ``:`` and ``,`` escaped as well."""
    return _escape(text, _PROPERTY)


def command(level: str, message: str, where: Location | None, title: str = "") -> str:
    props: list[str] = []
    if where is not None:
        props.append(f"file={escape_property(where.path)}")
        if where.line:
            props.append(f"line={where.line}")
    if title:
        props.append(f"title={escape_property(title)}")
    joined = (" " + ",".join(props)) if props else ""
    return f"::{level}{joined}::{escape_data(message)}"


def _result(r: DriftResult, at: Locator) -> str:
    level = "error" if r.status is Status.ERROR else "warning"
    message = summary(r) + at.note(r)
    return command(level, message, at.of_result(r), title=f"driftui: {r.status.value}")


def _degraded(r: DriftResult, fail_on_health: bool, at: Locator) -> str:
    level = "warning" if fail_on_health else "notice"
    message = f"{r.ref} is {health_label(r)}{at.note(r)}"
    return command(level, message, at.of_result(r), title="driftui: Degraded")


def _problem(p: LoadProblem) -> str:
    return command("error", p.message, of_problem(p), title="driftui: cannot load")


def to_github(report: ScanReport, *, fail_on_health: bool = False) -> str:
    """Annotations for drift, errors and problems; warnings as warnings; one per Degraded
    object (a warning with ``fail_on_health``, else a notice); one notice of counts. An
    object declared in another repository than the scanned one is annotated without a file."""
    at = Locator.of(report)
    lines = [_result(r, at) for r in report.results if needs_care(r)]
    lines += [_degraded(r, fail_on_health, at) for r in report.results if is_degraded(r)]
    lines += [_problem(p) for p in report.problems]
    lines += [command("warning", w, None, title="driftui") for w in report.warnings]
    counts = report.counts()
    tally = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in counts.items())
    degraded = health_counts(report).get("Degraded", 0)
    tally += f"; {degraded} Degraded" if degraded else ""
    lines.append(command("notice", f"driftui: {tally}", None, title="driftui summary"))
    return "\n".join(lines) + "\n"
