"""Turn the real Olist marketing funnel into a flat lead export (one row per MQL).

    python examples/olist/build_flat_csv.py --olist examples/olist/data --out data/olist_flat.csv

converted = "yes" when the MQL has a closed deal, "no" otherwise. Only what was known at
first contact is kept as a feature: origin, landing_page_id and first_contact_date (as
exported: dd-mm-yyyy). The closed-deal columns (business segment, lead type, declared
revenue, ...) were captured by sales during or after the deal: outcome-side, never
features. MQLs first contacted on or after --open-from (default 2018-05-18, the last two
weeks of the export) get an empty converted cell: they play the open leads to score.
--with-outcome-column adds the deal's business_segment (filled in by sales when the deal
closes, so empty for every open lead), deliberately, to show the leakage guard catching it.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import polars as pl


def build(olist: Path, open_from: date, with_outcome_column: bool = False) -> pl.DataFrame:
    mqls = pl.read_csv(olist / "olist_marketing_qualified_leads_dataset.csv", infer_schema=False)
    deals = pl.read_csv(olist / "olist_closed_deals_dataset.csv", infer_schema=False)
    contacted = pl.col("first_contact_date").str.strptime(pl.Date, "%d-%m-%Y")
    flat = mqls.join(deals.select("mql_id", "business_segment"), on="mql_id", how="left").select(
        "mql_id",
        "first_contact_date",
        "origin",
        "landing_page_id",
        converted=pl.when(contacted >= open_from)
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("mql_id").is_in(deals["mql_id"].implode()))
        .then(pl.lit("yes"))
        .otherwise(pl.lit("no")),
        # sales fill the segment in when the deal closes: empty for leads still open
        business_segment=pl.when(contacted >= open_from)
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col("business_segment")),
    )
    if not with_outcome_column:
        flat = flat.drop("business_segment")
    return flat.sort("mql_id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--olist", default="examples/olist/data", type=Path)
    parser.add_argument("--out", default="data/olist_flat.csv", type=Path)
    parser.add_argument("--open-from", default="2018-05-18", type=date.fromisoformat)
    parser.add_argument("--with-outcome-column", action="store_true")
    args = parser.parse_args()
    flat = build(args.olist, args.open_from, args.with_outcome_column)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    flat.write_csv(args.out)
    counts = flat["converted"].value_counts().sort("converted").rows()
    print(f"wrote {args.out}: {flat.height:,} MQLs; converted: {dict(counts)}")


if __name__ == "__main__":
    main()
