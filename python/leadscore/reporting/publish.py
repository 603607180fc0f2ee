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

import json
import os
import re
import time
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)
STORAGE_VERSION = "v1.0.0"


class CommandError(Exception):
    """A command cannot run as asked; the message says why and what to do (one line)."""


def sql_string(text: str | Path) -> str:
    """`text` as a SQL string literal (single quotes doubled): paths may hold quotes."""
    return "'" + str(text).replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]) -> list:
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_catalog = ? and table_schema in ({', '.join('?' for _ in schemas)}) "
        "order by 1, 2",
        [catalog, *schemas],
    ).fetchall()


def _listing(target: Path) -> Path:
    """The tables of the last publish, beside the copy (read without opening it)."""
    return target.with_name(f".{target.name}.tables.json")


def _published_tables(con, target: Path, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """The tables the current BI copy holds: from the listing of the last publish, else
    from the copy itself (unknown, [], when a BI tool holds it open for writing)."""
    if not target.exists():
        return []
    if _listing(target).exists():
        return [tuple(t) for t in json.loads(_listing(target).read_text())]
    try:
        con.execute(f"attach {sql_string(target)} as current_copy (read_only)")
    except duckdb.IOException:
        return []
    published = _tables(con, "current_copy", schemas)
    con.execute("detach current_copy")
    return published


def publish(
    db: Path,
    target: Path,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    storage_version: str = STORAGE_VERSION,
    parquet: Path | None = None,
) -> int:
    """Copy every table of `schemas` from `db` into `target` (written in DuckDB storage
    format `storage_version`), and to `parquet`/<table>.parquet; returns the table count.

    Refuses (CommandError, the BI copy untouched) when `db` has no such tables or fewer
    than the copy it would replace: a build that stopped early must not wipe the
    dashboards' data."""
    db, target = Path(db), Path(target)
    if not db.exists():
        raise CommandError(f"publish: no database at {db}; run `dbt build` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect()
    try:
        try:
            if not re.fullmatch(r"v\d+\.\d+\.\d+|latest", storage_version):
                raise duckdb.InvalidInputException("expected a version such as v1.0.0")
            version = sql_string(storage_version)
            con.execute(f"attach {sql_string(staging)} as bi (storage_version {version})")
        except duckdb.Error as e:
            raise ValueError(
                f"publish: DuckDB cannot write storage version {storage_version!r} "
                f"(use a DuckDB release such as v1.0.0, v1.2.0 or v2.0.0): {e}"
            ) from None
        con.execute("use bi")
        con.execute(f"attach {sql_string(db)} as src (read_only)")
        tables = _tables(con, "src", schemas)
        published = _published_tables(con, target, schemas)
        missing = sorted(set(published) - set(tables))
        if not tables or missing:
            names = ", ".join(f"{s}.{t}" for s, t in missing[:5]) + (
                ", ..." if len(missing) > 5 else ""
            )
            raise CommandError(
                f"publish: refused: {db} has {len(tables)} marts"
                + (
                    f", the copy at {target} has {len(published)} (missing: {names})"
                    if missing
                    else ""
                )
                + f"; {target} is left as it is. Run `dbt build` to completion first"
            )
        for schema in sorted({s for s, _ in tables}):
            con.execute(f"create schema if not exists {quote_identifier(schema)}")
        for schema, table in tables:
            name = f"{quote_identifier(schema)}.{quote_identifier(table)}"
            con.execute(f"create table {name} as select * from src.{name}")
        if parquet is not None:
            parquet = Path(parquet)
            parquet.mkdir(parents=True, exist_ok=True)
            for schema, table in tables:
                part = parquet / f".{table}.parquet.{os.getpid()}.tmp"
                name = f"{quote_identifier(schema)}.{quote_identifier(table)}"
                con.execute(f"copy src.{name} to {sql_string(part)} (format parquet)")
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
    _listing(target).write_text(json.dumps([list(t) for t in tables]))
    print(
        f"publish: {len(tables)} tables of {', '.join(schemas)} -> {target} "
        f"(storage version {storage_version})"
        + (f" and {parquet}/" if parquet is not None else "")
        + f" in {time.perf_counter() - t0:.1f}s"
    )
    return len(tables)
