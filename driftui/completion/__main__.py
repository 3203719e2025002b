"""``python -m driftui.completion __complete SOURCE CURRENT [WORDS…]``: the shells' callback."""

from __future__ import annotations

import sys

from driftui.completion.values import answer


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "__complete":
        print("usage: python -m driftui.completion __complete SOURCE CURRENT [WORDS...]")
        return 2
    return answer(argv[1:], sys.stdout.write)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
