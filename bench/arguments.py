"""The command line every benchmark takes: how many (a positional count), `--database-url` for
PostgreSQL (a temporary SQLite file without it), and whatever whole-number options it adds."""
from __future__ import annotations

import argparse


def command_line(counted: str, default: int, **options: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=default, help=f"how many {counted} (default {default:,})")
    parser.add_argument("--database-url", help="a PostgreSQL database to fill and empty again (default: SQLite)")
    for name, value in options.items():
        parser.add_argument(f"--{name}", type=int, default=value)
    return parser.parse_args()
