"""``python -m crawler.testsite [--port N] [--articles N] [--seed N]``: serve the test site until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from .server import SiteServer
from .site import NewsSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.testsite", description="Serve the offline test news site.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--articles", type=int, default=40, help="number of articles (default: 40, minimum 8)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated articles")
    args = parser.parse_args(argv)
    if args.articles < 8:
        parser.error("--articles must be at least 8")
    with SiteServer(NewsSite(args.articles, seed=args.seed), port=args.port) as server:
        print(f"Test news site with {args.articles} articles at {server.base_url}/ (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
