"""Export the CRM sync mart to files, for reverse-ETL tools that read files."""

from __future__ import annotations

from pathlib import Path

import duckdb

from leadscore.reporting.publish import sql_string

SYNC = "marts.crm_lead_sync"


def export_sync(db: Path, out: Path) -> int:
    """Write crm_lead_sync.csv and crm_lead_sync.parquet (sorted by lead_id) into `out`."""
    if not db.exists():
        print(f"export-sync: no database at {db}; run `dbt build` first")
        return 1
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql(f"select count(*) from {SYNC}").fetchall()[0][0]
        query = f"select * from {SYNC} order by lead_id"
        for fmt in ("csv", "parquet"):
            path = out / f"crm_lead_sync.{fmt}"
            options = "(format csv, header true)" if fmt == "csv" else "(format parquet)"
            con.sql(f"copy ({query}) to {sql_string(path)} {options}")
            print(f"export-sync: {rows:,} rows -> {path}")
    finally:
        con.close()
    return 0
