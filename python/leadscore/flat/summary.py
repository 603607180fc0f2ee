"""The summary `leadscore summary` prints for a flat-mode build."""

from __future__ import annotations

import duckdb

from leadscore.core.metrics import auc_confidence_interval


def is_flat_build(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.sql(
            "select count(*) from information_schema.tables "
            "where table_schema = 'intermediate' and table_name = 'flat_examples'"
        ).fetchall()[0][0]
    )


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def guard_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The warnings a user must not miss: every leakage suspect and identifier column by
    name with the reason, and every feature whose drift (PSI, open leads vs training
    leads) is above the alert line."""
    lines: list[str] = []
    suspects = con.sql(
        "select column_name, leakage_reason, is_model_feature from marts.flat_column_checks "
        "where is_leakage_suspect order by column_name"
    ).fetchall()
    if suspects:
        lines.append(f"LEAKAGE GUARD: {len(suspects)} suspect column(s)")
        for column, reason, used in suspects:
            state = "KEPT as a feature" if used else "left out"
            lines.append(f"  {column!r} ({state}): {reason}")
    identifiers = con.sql(
        "select column_name, excluded_reason from marts.flat_column_checks "
        "where role = 'feature' and not is_leakage_suspect and (excluded_reason like "
        "'identifier%' or excluded_reason like 'e-mail%' or excluded_reason like 'unique per%') "
        "order by column_name"
    ).fetchall()
    for column, reason in identifiers:
        lines.append(f"{column!r} left out: {reason}")
    if _has_table(con, "marts", "feature_drift"):
        drifted = con.sql(
            "select feature, psi from marts.feature_drift where is_alert order by psi desc"
        ).fetchall()
        for feature, psi in drifted:
            what = (
                "the open leads' scores are distributed unlike the holdout's"
                if feature == "score"
                else "open leads are filled unlike the leads the model learned from (new "
                "values, or a field filled in later?)"
            )
            lines.append(
                f"DRIFT: {feature!r} PSI {psi:.2f} between training and open leads, above "
                f"psi_alert_threshold: {what}"
            )
    return lines


def print_flat_summary(con: duckdb.DuckDBPyConnection) -> int:
    print("\n== lead scoring summary (flat export) ==")
    for line in guard_lines(con):
        print(line)
    useless = con.sql(
        "select status_reason, exists (select 1 from ml.ml_model_registry "
        "where status = 'champion') from ml.ml_model_registry "
        "qualify row_number() over (order by trained_at desc) = 1"
    ).fetchall()
    if useless and useless[0][0] and "not credibly above min_useful_auc" in useless[0][0]:
        reason, has_champion = useless[0]
        print(
            f"NO USEFUL MODEL: {reason.split('; ')[-1]}. "
            + (
                "The model trained last was not promoted; the earlier champion keeps scoring."
                if has_champion
                else "Open leads are tiered by the logistic-regression baseline "
                "(score_source = rules), not by a model at chance."
            )
        )
    roles = dict(
        con.sql(
            "select snapshot_role, count(*) from intermediate.flat_examples group by 1"
        ).fetchall()
    )
    labelled, converted = con.sql(
        "select count(*), count(*) filter (where label) from intermediate.flat_examples "
        "where label is not null"
    ).fetchall()[0]
    print(f"{'leads in the export':>30}: {sum(roles.values()):>10,}")
    print(f"{'labelled (converted)':>30}: {labelled:>10,} ({converted:,})")
    print(f"{'train / holdout':>30}: {roles.get('train', 0):>10,} / {roles.get('holdout', 0):,}")
    scored = con.sql("select count(*) from marts.lead_scores").fetchall()[0][0]
    print(f"{'open leads scored':>30}: {scored:>10,}")
    if not roles.get("scoring", 0):
        print(
            f"{'':>30}  no open leads: every row has a label. The leads to score are the "
            "rows whose label cell is empty: leave the label empty for leads still open."
        )
    checks = con.sql(
        "select column_name, case when role in ('feature', 'derived_feature') then feature "
        "else column_name || ' (' || role || ')' end, inferred_type, missing_rows, "
        "placeholder_rows, "
        "single_column_auc, is_model_feature, concat_ws(': ', excluded_reason, "
        "case when is_leakage_suspect and is_model_feature then 'leakage suspect KEPT' end, "
        "leakage_reason) "
        "from marts.flat_column_checks order by role, column_name, feature"
    ).fetchall()
    print("\ncolumn checks (marts.flat_column_checks):")
    print(f"{'feature':>32} {'type':>12} {'missing':>8} {'placeh.':>8} {'AUC alone':>9}  model")
    for _column, feature, kind, missing, placeholders, auc, used, why in checks:
        auc_text = f"{auc:.3f}" if auc is not None else ""
        print(
            f"{feature:>32} {kind:>12} {missing:>8,} {placeholders:>8,} {auc_text:>9}  "
            f"{'yes' if used else 'no'}{': ' + why if why else ''}"
        )
    perf = con.sql(
        "select scorer, examples, positives, auc, pr_auc, log_loss, holdout_from "
        "from marts.model_performance order by scorer"
    ).fetchall()
    registry = con.sql(
        "select model_id, status_reason, best_iteration, calibration_applied, "
        "calibration_slope, calibration_intercept from ml.ml_model_registry "
        "where status = 'champion' order by trained_at desc limit 1"
    ).fetchall()
    if not registry:
        print("\nno champion: open leads get the baseline's scores (score_source = rules)")
    else:
        model_id, reason, trees, calibrated, slope, intercept = registry[0]
        print(f"\nchampion {model_id} ({trees} trees): {reason}")
        print(
            f"{'calibration':>31}: "
            + (
                f"Platt slope {slope:.3f}, intercept {intercept:.3f}; calibrated holdout "
                "metrics are cross-fitted (each half calibrated on the other)"
                if calibrated
                else "none: the model's own probabilities (calibration did not help out of "
                "fold, or its slope was not positive)"
            )
        )
    stratified = not con.sql(
        "select count(*) from marts.flat_column_checks where role = 'created_at'"
    ).fetchall()[0][0]
    names = {"model": "CatBoost", "rules": "logistic regression (baseline)"}
    for scorer, n, pos, auc, pr_auc, log_loss, holdout_from in perf:
        low, high = auc_confidence_interval(float(auc), pos, n - pos) if auc is not None else (0, 0)
        split = "stratified split" if stratified else f"from {str(holdout_from)[:10]}"
        print(
            f"{names.get(scorer, scorer):>31}: holdout AUC {auc:.4f} (95% {low:.3f}-{high:.3f})"
            f"  PR-AUC {pr_auc:.4f}  log loss {log_loss:.4f}  ({n:,} leads, {pos:,} "
            f"converted, {split})"
        )
    tiers = con.sql(
        "select tier, count(*), min(score), max(score), string_agg(distinct score_source, ',') "
        "from marts.lead_scores group by tier, tier_rank order by tier_rank"
    ).fetchall()
    print("\nopen leads per tier:")
    print(f"{'tier':>8} {'leads':>8} {'scores':>9} {'source':>7}")
    for tier, n, lo, hi, source in tiers:
        print(f"{tier:>8} {n:>8,} {lo:>4}-{hi:<4} {source:>7}")
    return 0
