"""``python -m tests.cluster up|down --dir DIR`` and ``build``."""

from __future__ import annotations

import argparse
import os
import sys
import time

from tests.cluster import build, harness


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.cluster")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("up", "start etcd and kube-apiserver"), ("down", "stop them, remove data")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--dir", required=True, help="state directory")
    sub.add_parser("build", help="build the binaries the cache lacks and print their directory")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(os.pathsep.join(str(d) for d in build.build()))
        elif args.command == "up":
            started = time.monotonic()
            info = harness.up(args.dir, tied=False)  # outlives this command
            print(
                f"server {info.server} (ready in {time.monotonic() - started:.1f}s)",
                file=sys.stderr,
            )
            print("READY", flush=True)
        else:
            harness.down(args.dir)
    except (build.BuildError, harness.ClusterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
