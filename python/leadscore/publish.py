"""Publish the marts to a separate DuckDB file for BI tools, swapped in atomically.

DuckDB allows one writer per file, and a BI tool that holds the build database
open makes `dbt build` fail with "Could not set lock on file". So BI tools read a
copy: after each build the marts are copied into a new file next to the target,
which then replaces the target with os.replace (atomic on POSIX). A reader that
has the old copy open keeps reading it undisturbed; the next connection sees the
new one. The build never opens the BI copy.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)


def publish(db: Path, target: Path, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS) -> int:
    """Copy every table of `schemas` from `db` into `target`; returns the table count."""
    db, target = Path(db), Path(target)
    if not db.exists():
        raise FileNotFoundError(f"publish: no database at {db}; run `dbt build` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(staging))
    try:
        con.execute(f"attach '{db}' as src (read_only)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'src' and table_schema in "
            f"({', '.join('?' for _ in schemas)}) order by 1, 2",
            list(schemas),
        ).fetchall()
        for schema in sorted({s for s, _ in tables}):
            con.execute(f'create schema if not exists "{schema}"')
        for schema, table in tables:
            con.execute(
                f'create table "{schema}"."{table}" as select * from src."{schema}"."{table}"'
            )
        con.execute("detach src")
    finally:
        con.close()
    os.replace(staging, target)
    print(
        f"publish: {len(tables)} tables of {', '.join(schemas)} -> {target} "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    return len(tables)
