"""The short summary `make demo` prints after `dbt build`."""

from __future__ import annotations

from pathlib import Path

import duckdb

from leadscore.core.metrics import roc_auc

COUNTS = (
    ("raw lead records", "select count(*) from staging.stg_crm__leads"),
    ("people after de-duplication", "select count(*) from intermediate.int_leads_deduplicated"),
    ("clean events", "select count(*) from intermediate.int_events_cleaned"),
    ("quarantined events", "select count(*) from intermediate.int_events_quarantined"),
    ("quarantined lead records", "select count(*) from intermediate.int_leads_quarantined"),
    ("training examples", "select count(*) from ml.ml_training_examples"),
    ("open leads scored", "select count(*) from marts.lead_scores where status = 'scored'"),
    (
        "open leads sales owns",
        "select count(*) from marts.lead_scores where status = 'in_pipeline'",
    ),
)


def oracle_auc(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> float | None:
    """AUC of the generator's exact probabilities on the model's holdout examples."""
    from leadscore.demo.generator.truth import oracle_probabilities

    holdout = con.sql(
        "select lead_id, as_of, label from ml.ml_training_examples where snapshot_role = 'holdout'"
    ).pl()
    trained = con.sql(
        "select prediction_horizon_days from ml.ml_model_registry order by trained_at desc limit 1"
    ).fetchall()
    if not trained:  # no model trained yet (too little history): nothing to compare with
        return None
    horizon = trained[0][0]
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
    from leadscore.flat.summary import is_flat_build, print_flat_summary

    if is_flat_build(con):
        return print_flat_summary(con)
    print("\n== lead scoring summary ==")
    for label, query in COUNTS:
        print(f"{label:>30}: {con.sql(query).fetchall()[0][0]:>10,}")
    print_data_quality(con)
    registry = con.sql(
        "select model_id, status, status_reason, train_examples, train_positives, "
        "holdout_examples, holdout_positives, holdout_auc, holdout_pr_auc, holdout_from, "
        "holdout_to, holdout_ece_uncalibrated, holdout_ece, holdout_log_loss_uncalibrated, "
        "holdout_log_loss, calibration_applied, best_iteration "
        "from ml.ml_model_registry order by trained_at"
    ).pl()
    champions = registry.filter(registry["status"] == "champion")
    if champions.is_empty():
        print("\nno model yet (cold start): open leads are scored by seed scoring_rules")
    else:
        m = champions.row(-1, named=True)
        print(
            f"\nchampion {m['model_id']} ({m['best_iteration']} trees; registry holds "
            f"{registry.height} model(s)): {m['status_reason']}"
        )
        print(f"trained on {m['train_examples']:,} examples ({m['train_positives']:,} converted)")
        window = f"{m['holdout_from'][:10]} .. {m['holdout_to'][:10]}"
        print(
            f"out-of-time holdout {window}: {m['holdout_examples']:,} examples, "
            f"{m['holdout_positives']:,} converted"
        )
        auc = m["holdout_auc"]
        print(f"holdout AUC {auc:.4f}   PR-AUC {m['holdout_pr_auc']:.4f}")
        print(
            f"calibration error {m['holdout_ece_uncalibrated']:.4f} -> {m['holdout_ece']:.4f}, "
            f"log loss {m['holdout_log_loss_uncalibrated']:.4f} -> {m['holdout_log_loss']:.4f} "
            f"({'calibrated' if m['calibration_applied'] else 'calibration not needed'})"
        )
        truth = raw_dir / "_ground_truth" if raw_dir else None
        if raw_dir is not None and truth is not None and truth.exists():
            best = oracle_auc(con, raw_dir)
            if best:
                print(
                    f"oracle AUC  {best:.4f}   (generator's exact probabilities, same holdout;"
                    f" model reaches {auc / best:.1%} of it)"
                )
    tiers = con.sql(
        "select tier, count(*), min(score), max(score), round(avg(rules_score), 1), "
        "string_agg(distinct score_source, ',') "
        "from marts.lead_scores where status = 'scored' group by tier, tier_rank order by tier_rank"
    ).fetchall()
    print("\nopen leads per tier (before the hand-over to sales):")
    print(f"{'tier':>8} {'leads':>8} {'scores':>9} {'mean rules score':>17} {'source':>7}")
    for tier, n, lo, hi, rules, source in tiers:
        print(f"{tier:>8} {n:>8,} {lo:>4}-{hi:<4} {rules:>17} {source:>7}")
    return 0
