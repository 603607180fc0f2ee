"""Start the dashboard: `python -m leadscore.dashboard [--db PATH] [--port N]`.

Checks the BI copy first (one line and exit 1 when it is missing, no traceback),
then replaces itself with `streamlit run` on app.py, bound to the loopback interface."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from leadscore.dashboard.data import DB_ENV, DEFAULT_PORT, CopyMissing, connect, resolve_db

APP = Path(__file__).with_name("app.py")


def streamlit_command(db: Path, port: int, address: str = "127.0.0.1") -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--",
        "--db",
        str(db),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadscore.dashboard", description=__doc__)
    parser.add_argument(
        "--db", help=f"the published BI copy (default ${DB_ENV}, else data/leadscore_bi.duckdb)"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--address", default="127.0.0.1", help="interface to listen on")
    args = parser.parse_args(argv)
    db = resolve_db(args.db).resolve()
    try:
        connect(db).close()
    except CopyMissing as e:
        print(f"dashboard: {e}", file=sys.stderr)
        return 1
    try:
        import streamlit  # noqa: F401
    except ImportError:
        print(
            "dashboard: streamlit is not installed; run `make install` (installs the "
            "'dashboard' extra) or pip install -e '.[dashboard]'",
            file=sys.stderr,
        )
        return 1
    print(f"dashboard: http://{args.address}:{args.port} reading {db} (read-only)")
    sys.stdout.flush()
    os.environ[DB_ENV] = str(db)
    # streamlit replaces this process: one pid to stop, Ctrl-C goes straight to it
    command = streamlit_command(db, args.port, args.address)
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
