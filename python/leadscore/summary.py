"""The short summary `make demo` prints after `dbt build`."""

from __future__ import annotations

from pathlib import Path

import duckdb

from leadscore.metrics import roc_auc

COUNTS = (
    ("raw lead records", "select count(*) from staging.stg_crm__leads"),
    ("people after de-duplication", "select count(*) from intermediate.int_leads_deduplicated"),
    ("clean events", "select count(*) from intermediate.int_events_cleaned"),
    ("quarantined events", "select count(*) from intermediate.int_events_quarantined"),
    ("quarantined lead records", "select count(*) from intermediate.int_leads_quarantined"),
    ("training examples", "select count(*) from ml.ml_training_examples"),
    ("open leads scored", "select count(*) from marts.lead_scores"),
)


def oracle_auc(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> float | None:
    """AUC of the generator's exact probabilities on the model's holdout examples."""
    from leadscore.generator.truth import oracle_probabilities

    holdout = con.sql(
        "select lead_id, as_of, label from ml.ml_training_examples where snapshot_role = 'holdout'"
    ).pl()
    horizon = con.sql(
        "select prediction_horizon_days from ml.ml_model_registry order by trained_at desc limit 1"
    ).fetchall()[0][0]
    scored = oracle_probabilities(raw_dir, holdout, horizon).drop_nulls("oracle_probability")
    if scored.is_empty():
        return None
    return roc_auc(scored["label"].to_numpy(), scored["oracle_probability"].to_numpy())


def print_data_quality(con: duckdb.DuckDBPyConnection) -> None:
    """Non-zero rules of the latest build from marts.data_quality."""
    rows = con.sql(
        "select source_table, rule, rows_fixed, rows_defaulted, rows_excluded, rows_quarantined "
        "from marts.data_quality where built_at = (select max(built_at) from marts.data_quality) "
        "and rows_fixed + rows_defaulted + rows_excluded + rows_quarantined > 0 "
        "order by source_table, rule"
    ).fetchall()
    print("\ndata quality (marts.data_quality, this build):")
    print(f"{'table.rule':>46} {'fixed':>8} {'default':>8} {'excluded':>8} {'quarant.':>8}")
    for table, rule, fixed, defaulted, excluded, quarantined in rows:
        name = f"{table}.{rule}"
        print(f"{name:>46} {fixed:>8,} {defaulted:>8,} {excluded:>8,} {quarantined:>8,}")


def print_summary(db: Path, raw_dir: Path | None = None) -> int:
    if not db.exists():
        print(f"summary: no database at {db}; run `dbt build` first")
        return 1
    con = duckdb.connect(str(db), read_only=True)
    print("\n== lead scoring summary ==")
    for label, query in COUNTS:
        print(f"{label:>30}: {con.sql(query).fetchall()[0][0]:>10,}")
    print_data_quality(con)
    model = con.sql(
        "select model_id, train_examples, train_positives, holdout_examples, "
        "holdout_positives, holdout_auc, holdout_pr_auc, holdout_from, holdout_to "
        "from ml.ml_model_registry order by trained_at desc limit 1"
    ).fetchall()
    if model:
        mid, n_tr, p_tr, n_ho, p_ho, auc, pr_auc, ho_from, ho_to = model[0]
        print(f"\nmodel {mid}: trained on {n_tr:,} examples ({p_tr:,} converted)")
        window = f"{ho_from[:10]} .. {ho_to[:10]}"
        print(f"out-of-time holdout {window}: {n_ho:,} examples, {p_ho:,} converted")
        print(f"holdout AUC {auc:.4f}   PR-AUC {pr_auc:.4f}")
        truth = raw_dir / "_ground_truth" if raw_dir else None
        if truth is not None and truth.exists():
            best = oracle_auc(con, raw_dir)
            if best:
                print(
                    f"oracle AUC  {best:.4f}   (generator's exact probabilities, same holdout;"
                    f" model reaches {auc / best:.1%} of it)"
                )
    tiers = con.sql(
        "select tier, count(*), round(avg(probability), 4), min(score), max(score) "
        "from marts.lead_scores group by tier, tier_rank order by tier_rank"
    ).fetchall()
    print("\nopen leads per tier:")
    print(f"{'tier':>8} {'leads':>8} {'mean p':>8} {'scores':>9}")
    for tier, n, p, lo, hi in tiers:
        print(f"{tier:>8} {n:>8,} {p:>8.4f} {lo:>4}-{hi:<4}")
    return 0
