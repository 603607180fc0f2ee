"""Publish the marts to a separate DuckDB file for BI tools, swapped in atomically.

DuckDB allows one writer per file, and a BI tool that holds the build database
open makes `dbt build` fail with "Could not set lock on file". So BI tools read a
copy: after each build the marts are copied into a new file next to the target,
which then replaces the target with os.replace (atomic on POSIX). A reader that
has the old copy open keeps reading it undisturbed; the next connection sees the
new one. The build never opens the BI copy.

The copy is written in an older DuckDB storage format (default v1.0.0, which
DuckDB 1.0 and every later reader opens): DuckDB 2.0 writes new files in its 2.0
format, which the DuckDB 1.x libraries inside BI drivers cannot open. With
`parquet`, each published table is also written as <dir>/<table>.parquet.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)
STORAGE_VERSION = "v1.0.0"


def publish(
    db: Path,
    target: Path,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    storage_version: str = STORAGE_VERSION,
    parquet: Path | None = None,
) -> int:
    """Copy every table of `schemas` from `db` into `target` (written in DuckDB storage
    format `storage_version`), and to `parquet`/<table>.parquet; returns the table count."""
    db, target = Path(db), Path(target)
    if not db.exists():
        raise FileNotFoundError(f"publish: no database at {db}; run `dbt build` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect()
    try:
        try:
            if not re.fullmatch(r"v\d+\.\d+\.\d+|latest", storage_version):
                raise duckdb.InvalidInputException("expected a version such as v1.0.0")
            con.execute(f"attach '{staging}' as bi (storage_version '{storage_version}')")
        except duckdb.Error as e:
            raise ValueError(
                f"publish: DuckDB cannot write storage version {storage_version!r} "
                f"(use a DuckDB release such as v1.0.0, v1.2.0 or v2.0.0): {e}"
            ) from None
        con.execute("use bi")
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
        if parquet is not None:
            parquet = Path(parquet)
            parquet.mkdir(parents=True, exist_ok=True)
            for schema, table in tables:
                part = parquet / f".{table}.parquet.{os.getpid()}.tmp"
                con.execute(f'copy src."{schema}"."{table}" to \'{part}\' (format parquet)')
                os.replace(part, parquet / f"{table}.parquet")
        con.execute("detach src")
        con.execute("use memory")
        con.execute("detach bi")
    except BaseException:
        con.close()
        staging.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(staging, target)
    print(
        f"publish: {len(tables)} tables of {', '.join(schemas)} -> {target} "
        f"(storage version {storage_version})"
        + (f" and {parquet}/" if parquet is not None else "")
        + f" in {time.perf_counter() - t0:.1f}s"
    )
    return len(tables)
