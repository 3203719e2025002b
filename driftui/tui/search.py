"""The explorer's text filter, fast enough to run on every keystroke over 100,000 objects.

A query is one subsequence pattern per word (``dep web`` matches ``Deployment shop/web-api``),
all of which must match. Matching 100,000 objects one by one in Python cost ~0.5 s a
keystroke (bench_scale). Here every object's search key (``kind namespace name``) is
joined once into one text, a line per object, and one regular expression finds the lines
that match, in C. A query that extends the last one can only narrow its matches, so only
those are searched again; an earlier query (a backspace) is remembered.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from functools import lru_cache

from driftui.model import DriftResult

REMEMBERED = 16  # queries whose matches are kept for one list of results
MARK = "\x01"  # starts each line of the joined keys
CHUNK = 100_000  # characters searched at a time: between chunks, other threads run


def haystack(result: DriftResult) -> str:
    ref = result.ref
    return f"{ref.kind} {ref.namespace} {ref.name}"


@lru_cache(maxsize=64)
def fuzzy_pattern(query: str) -> list[re.Pattern[str]]:
    """One subsequence pattern per word: ``dep web`` matches ``Deployment shop/web-api``."""
    return [
        re.compile(".*?".join(re.escape(ch) for ch in token), re.IGNORECASE)
        for token in query.split()
    ]


def _subsequence(token: str) -> str:
    """``abc`` as ``a[^b\n]*b[^c\n]*c``: the same matches as ``a.*?b.*?c`` in one line,
    found without backtracking (the first ``b`` after ``a`` is always as good as a later one)."""
    out = re.escape(token[0])
    for ch in token[1:]:
        escaped = re.escape(ch)
        out += f"[^{escaped}\n]*{escaped}"
    return out


@lru_cache(maxsize=64)
def _lines_pattern(query: str, *, lowered: bool) -> re.Pattern[str]:
    """A line is ``MARK``, its position, a tab and its key: every word is looked for ahead
    in the key alone. Starting at a literal mark, the search skips from line to line in C.

    ``lowered``: the keys and ``query`` are ASCII and lowered, so the pattern compares
    characters as they are; ignoring case made each search 1.4-3x slower (100,000 keys)."""
    ahead = "".join(f"(?=[^{re.escape(t[0])}\n]*{_subsequence(t)})" for t in query.split())
    return re.compile(f"{MARK}(\\d+)\t{ahead}", 0 if lowered else re.IGNORECASE)


def query_matches(result: DriftResult, query: str) -> bool:
    """One object against the query (a watch batch's few changed objects)."""
    text = haystack(result)
    return all(p.search(text) for p in fuzzy_pattern(query))


class SearchText:
    """The search keys of one list of results, joined, with the matches of recent queries."""

    def __init__(self, results: Sequence[DriftResult]) -> None:
        self.results = results
        keys = [haystack(r) for r in results]
        self._exact = not any("\n" in k or MARK in k for k in keys)  # else one by one
        # Kubernetes names, namespaces and kinds are ASCII: lowered once, an ASCII query
        # lowered too needs no case-insensitive matching (see _lines_pattern)
        self._lowered = all(k.isascii() for k in keys)
        self._keys = [k.lower() for k in keys] if self._lowered else keys
        # positions as machine integers: 100,000 int objects a query grew the heap enough
        # to force a full collection (heap.collection_due) every few keystrokes
        self._found: dict[str, array[int]] = {}
        self._whole = ""  # every key joined, on the first search over all

    def warm(self) -> None:
        """Join every key now (a worker, when the filter field opens), not on the first
        keystroke: with the keys themselves, ~70 ms of 100,000 before the first search."""
        if self._exact and not self._whole:
            self._whole = _joined(self._keys, range(len(self._keys)))

    def follow(self, results: Sequence[DriftResult]) -> None:
        """The same objects in the same places (a watch batch that changed verdicts only):
        keys and matches still hold for ``results``."""
        self.results = results

    def matching(self, query: str) -> Sequence[int]:
        """Positions of the results that match ``query`` (every word), in order."""
        if not query.split():
            return range(len(self.results))
        found = self._found.get(query)
        if found is None:
            found = self._search(query, self._narrowest(query))
            if len(self._found) >= REMEMBERED:
                del self._found[next(iter(self._found))]
            self._found[query] = found
        return found

    def _narrowest(self, query: str) -> array[int] | None:
        """The matches of the longest remembered query that ``query`` extends: a word
        extended or added only narrows them. None: search everything."""
        best: str | None = None
        for known in self._found:
            if query.startswith(known) and (best is None or len(known) > len(best)):
                best = known
        return self._found[best] if best is not None else None

    def _search(self, query: str, among: array[int] | None) -> array[int]:
        keys = self._keys
        positions: Sequence[int] = among if among is not None else range(len(keys))
        if not self._exact:
            patterns = fuzzy_pattern(query)
            return array("l", (i for i in positions if all(p.search(keys[i]) for p in patterns)))
        if among is None or len(among) * 4 > len(keys) * 3:
            # narrowing from most keys: joining them again cost more than the search it
            # saves (100,000 keys: ~20 ms of ~45). A longer query's matches are among the
            # shorter one's, so searching all of them finds the same.
            self._whole = self._whole or _joined(keys, range(len(keys)))
            text = self._whole
        else:
            text = _joined(keys, positions)
        if self._lowered and query.isascii():
            return _found(_lines_pattern(query.lower(), lowered=True), text)
        return _found(_lines_pattern(query, lowered=False), text)


def _joined(keys: list[str], positions: Sequence[int]) -> str:
    """The keys at ``positions``, a line each: ``MARK``, the position, a tab, the key."""
    return "".join([f"{MARK}{i}\t{keys[i]}\n" for i in positions])


def _found(pattern: re.Pattern[str], text: str) -> array[int]:
    """Positions of the matching lines. The regular expression engine holds the
    interpreter lock while it runs: searched a chunk at a time, the screen's thread gets
    its turn in between (a chunk ends at a line's end, so no line is cut)."""
    found = array("l")
    start = 0
    while start < len(text):
        end = text.find("\n", start + CHUNK)
        end = len(text) if end < 0 else end + 1
        found.extend(map(int, pattern.findall(text, start, end)))
        start = end
    return found
