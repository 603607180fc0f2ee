"""Flat mode on exports shaped like real public lead exports: the leakage guard, the
logistic-regression baseline, calibration and the useless-model check must not be fooled.

Three shapes, each after a public export a new user would try:
- a course provider's lead export (X Education "Leads.csv"): a sequential "Lead Number",
  a "Tags" column sales fill in after the call, a large share of it empty, and a shared
  "Lead Owner Email" column;
- a bank telemarketing export (UCI bank-marketing): no created-at column, categoricals
  with an "unknown" level, pdays = 999 for "never contacted", previous = 0 and
  poutcome = "nonexistent" carrying the same information;
- a B2B deal pipeline (Maven "CRM sales opportunities"): deal value and close date
  filled for every won and lost deal and for no open one; close value 0 for every lost
  deal and > 0 for every won one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import polars as pl
import pytest

from leadscore.flat import FlatConfig, prepare, single_column_auc

# -- export shapes ------------------------------------------------------------------------


def course_export(n: int = 4000, seed: int = 11) -> pl.DataFrame:
    """After X Education's Leads.csv: Prospect ID, a descending Lead Number, the lead's
    origin and web behaviour (honest signal), Tags (sales status after contact, empty for
    about a third of the leads), Lead Owner Email (one of 25 sales reps), Converted 0/1."""
    rng = np.random.default_rng(seed)
    origin = rng.choice(
        ["Landing Page Submission", "API", "Lead Add Form", "Lead Import"],
        n,
        p=[0.5, 0.35, 0.1, 0.05],
    )
    visits = rng.poisson(3, n)
    time_on_site = rng.gamma(2, 300, n).round()
    logit = -1.3 + 2.0 * (origin == "Lead Add Form") + 0.0012 * time_on_site + 0.05 * visits
    converted = rng.random(n) < 1 / (1 + np.exp(-logit))
    won_tags = rng.choice(
        ["Will revert after reading the email", "Closed by Horizzon", "Busy"], n, p=[0.6, 0.2, 0.2]
    )
    lost_tags = rng.choice(
        ["Ringing", "Interested in other courses", "Already a customer", "Busy", "switched off"],
        n,
        p=[0.45, 0.2, 0.1, 0.1, 0.15],
    )
    tags = np.where(converted, won_tags, lost_tags).astype(object)
    tags[rng.random(n) < 0.55] = ""  # sales never got to most leads: the tag is empty
    label = np.where(converted, "1", "0").astype(object)
    label[rng.random(n) < 0.05] = ""  # open leads
    start = datetime(2024, 1, 1)
    created = sorted(start + timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 200, n))
    return pl.DataFrame(
        {
            "Prospect ID": [f"7927b2df-8bba-4d29-b9a2-{i:012x}" for i in range(n)],
            "Lead Number": [str(660737 - 9 * i - int(rng.integers(0, 5))) for i in range(n)],
            "Created On": [c.strftime("%Y-%m-%d %H:%M:%S") for c in created],
            "Lead Origin": origin.tolist(),
            "TotalVisits": [str(v) for v in visits],
            "Total Time Spent on Website": [str(int(t)) for t in time_on_site],
            "Tags": tags.tolist(),
            "Lead Owner Email": [f"owner{int(k)}@corp.example" for k in rng.integers(1, 26, n)],
            "Converted": label.tolist(),
        }
    )


def pipeline_export(n: int = 3000, seed: int = 5) -> pl.DataFrame:
    """After the Maven CRM sales opportunities: deal stage Won / Lost / open (Engaging,
    Prospecting); close_date and close_value filled for won and lost deals only; close
    value 0 for every lost deal, the price paid (around a handful of list prices, mostly
    the cheapest) for a won one; account sector and product as honest attributes."""
    rng = np.random.default_rng(seed)
    sector = rng.choice(["retail", "medical", "software", "finance", "technolgy"], n)
    product = rng.choice(["GTX Basic", "MG Special", "GTX Pro", "GTK 500"], n)
    logit = -0.6 + 0.9 * (sector == "software") - 0.7 * (product == "GTK 500")
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    is_open = rng.random(n) < 0.25
    engaged = datetime(2023, 1, 1)
    created = [engaged + timedelta(days=int(d)) for d in rng.integers(0, 360, n)]
    prices = np.array([55, 550, 1096, 3393, 4821, 5482, 26768], dtype=float)
    price = rng.choice(prices, n, p=[0.4, 0.25, 0.1, 0.1, 0.05, 0.05, 0.05])
    # the price paid varies around the list price: many distinct values
    value = np.where(won, np.round(price * rng.uniform(0.8, 1.1, n)), 0.0)
    label = np.where(won, "yes", "no").astype(object)
    label[is_open] = ""
    return pl.DataFrame(
        {
            "opportunity_id": [f"1C1I7A6R{i:06d}" for i in range(n)],
            "engage_date": [d.strftime("%Y-%m-%d") for d in created],
            "sector": sector.tolist(),
            "product": product.tolist(),
            "close_date": [
                "" if o else (d + timedelta(days=int(k))).strftime("%Y-%m-%d")
                for o, d, k in zip(is_open, created, rng.integers(1, 120, n), strict=True)
            ],
            "close_value": ["" if o else f"{v:.0f}" for o, v in zip(is_open, value, strict=True)],
            "won": label.tolist(),
        }
    )


def _profile(prepared) -> dict[str, dict]:
    return {r["column_name"]: r for r in prepared.profile.iter_rows(named=True)}


# -- 1. the leakage guard -------------------------------------------------------------------


def test_value_purity_catches_a_sales_status_column_diluted_by_empty_cells():
    # the Tags column of the course export: its single-column AUC stays under the 0.95
    # line because the empty cells (55%) are a mixed bucket, yet a third of the labelled
    # leads sit in values converting at >= 97% or <= 3%
    prepared = prepare(course_export(), FlatConfig("Prospect ID", "Converted", "Created On"))
    tags = _profile(prepared)["Tags"]
    assert tags["single_column_auc"] < 0.95  # the AUC rule alone cannot see it
    assert tags["is_leakage_suspect"], tags
    assert "pure values" in tags["leakage_reason"]
    assert "Closed by Horizzon" in tags["leakage_reason"] and "Ringing" in tags["leakage_reason"]
    assert "tags" not in prepared.leads.columns
    assert any("'Tags'" in m for m in prepared.messages)
    # the honest columns pass
    profile = _profile(prepared)
    for column in ("Lead Origin", "TotalVisits", "Total Time Spent on Website"):
        assert not profile[column]["is_leakage_suspect"], profile[column]
        assert profile[column]["is_model_feature"], profile[column]


def test_lead_number_and_owner_email_are_identifiers_left_out_with_the_reason():
    prepared = prepare(course_export(), FlatConfig("Prospect ID", "Converted", "Created On"))
    profile = _profile(prepared)
    number, email = profile["Lead Number"], profile["Lead Owner Email"]
    assert not number["is_model_feature"] and not email["is_model_feature"]
    assert "identifier" in number["excluded_reason"]
    assert "sequential" in number["excluded_reason"]
    assert "e-mail" in email["excluded_reason"]
    assert {"lead_number", "lead_owner_email"}.isdisjoint(prepared.leads.columns)
    # an honest count with repeated values is not an identifier
    assert profile["TotalVisits"]["is_model_feature"]


def test_unique_integers_in_random_order_are_not_taken_for_identifiers():
    raw = course_export(1500)
    rng = np.random.default_rng(1)
    # a unique whole number per lead with no order (e.g. a revenue figure): kept
    raw = raw.with_columns(
        pl.Series("Annual Revenue", [str(v) for v in rng.permutation(10**6)[:1500] * 37])
    )
    profile = _profile(prepare(raw, FlatConfig("Prospect ID", "Converted", "Created On")))
    assert profile["Annual Revenue"]["excluded_reason"] is None, profile["Annual Revenue"]


def test_labelled_vs_open_fill_rate_catches_deal_fields():
    # close_date / close_value: filled for 100% of won and lost deals, 0% of open ones
    prepared = prepare(pipeline_export(), FlatConfig("opportunity_id", "won", "engage_date"))
    profile = _profile(prepared)
    for column in ("close_date", "close_value"):
        row = profile[column]
        assert row["is_leakage_suspect"], row
        assert "filled for 100% of labelled leads and 0% of open leads" in row["leakage_reason"]
        assert not row["is_model_feature"]
    for column in ("sector", "product"):
        assert not profile[column]["is_leakage_suspect"], profile[column]


def test_a_value_holding_many_rows_gets_its_own_bin_in_the_single_column_auc():
    # close_value of the labelled deals: 0 for every lost one, > 0 for every won one.
    # With 20 dense-rank bins the zeros share a bin with the cheapest wins.
    frame = pipeline_export().filter(pl.col("won") != "")
    y = (frame["won"] == "yes").to_numpy()
    values = frame["close_value"].cast(pl.Float64)
    folds = np.arange(len(y)) % 5
    assert single_column_auc(values, "numeric", y, folds) > 0.99
    # and a number with no heavy value still bins by quantiles (an honest, weak signal)
    rng = np.random.default_rng(2)
    noisy = pl.Series(rng.normal(size=len(y)) + 0.3 * y)
    assert 0.55 < single_column_auc(noisy, "numeric", y, folds) < 0.75


def test_config_reads_the_guard_vars_from_dbt():
    given = {
        "flat_id_column": "id",
        "flat_label_column": "won",
        "flat_exclude_leaky_columns": "true",
        "flat_holdout_fraction": "0.2",
        "flat_validation_fraction": "0.2",
        "flat_leakage_auc": "0.95",
        "flat_leakage_purity_share": "0.3",
        "flat_leakage_purity_min_leads": "50",
        "flat_leakage_purity_rate": "0.05",
        "flat_leakage_fill_rare": "0.01",
        "flat_leakage_fill_common": "0.5",
        "flat_leakage_value_bin_share": "0.1",
    }
    cfg = FlatConfig.from_dbt(given.get)
    assert (cfg.leakage_purity_share, cfg.leakage_purity_min_leads) == (0.3, 50)
    assert (cfg.leakage_purity_rate, cfg.leakage_fill_rare) == (0.05, 0.01)
    assert (cfg.leakage_fill_common, cfg.leakage_value_bin_share) == (0.5, 0.1)


def summary_db(path, prepared, drift: list[tuple[str, float, bool]]):
    """The tables `leadscore summary` reads in flat mode, filled from `prepare` (the
    column checks) and the given drift rows; one champion, two scorers, two tiers."""
    con = duckdb.connect(str(path))
    for schema in ("intermediate", "marts", "ml"):
        con.sql(f"create schema {schema}")
    profile = prepared.profile  # noqa: F841 (read by duckdb)
    con.sql("create table marts.flat_column_checks as select * from profile")
    con.sql(
        "create table intermediate.flat_examples as select * from (values "
        "('a', 'train', true), ('b', 'train', false), ('c', 'holdout', true), "
        "('d', 'holdout', false), ('e', 'scoring', null)) t(lead_id, snapshot_role, label)"
    )
    con.sql(
        "create table marts.lead_scores as select * from (values "
        "('e', 'hot', 1, 80, 'model')) t(lead_id, tier, tier_rank, score, score_source)"
    )
    con.sql(
        "create table marts.model_performance as select * from (values "
        "('model', 2, 1, 0.8, 0.7, 0.5, date '2024-06-01'), "
        "('rules', 2, 1, 0.7, 0.6, 0.6, date '2024-06-01')) "
        "t(scorer, examples, positives, auc, pr_auc, log_loss, holdout_from)"
    )
    con.sql(
        "create table ml.ml_model_registry as select * from (values "
        "('m_1', 'first model', 50, 'champion', timestamp '2024-06-02', true, 0.9, -0.1)) "
        "t(model_id, status_reason, best_iteration, status, trained_at, calibration_applied, "
        "calibration_slope, calibration_intercept)"
    )
    rows = drift or [("score", 0.01, False)]
    con.sql(
        "create table marts.feature_drift as select * from (values "
        + ", ".join(f"('{f}', {p}, {str(a).lower()})" for f, p, a in rows)
        + ") t(feature, psi, is_alert)"
    )
    return con


def test_summary_names_every_suspect_identifier_and_extreme_drift(tmp_path, capsys):
    from leadscore.flat.summary import print_flat_summary

    prepared = prepare(course_export(), FlatConfig("Prospect ID", "Converted", "Created On"))
    con = summary_db(
        tmp_path / "s.duckdb",
        prepared,
        [("total_time_spent_on_website", 1.7, True), ("lead_origin", 0.02, False)],
    )
    print_flat_summary(con)
    out = capsys.readouterr().out
    head = out.split("column checks")[0]  # named up front, not only in the table
    assert "LEAKAGE GUARD: 1 suspect column(s)" in head
    assert "'Tags' (left out): pure values: 39% of labelled leads" in head
    assert "'Lead Number' left out: identifier: unique sequential" in head
    assert "'Lead Owner Email' left out: e-mail addresses" in head
    assert "DRIFT: 'total_time_spent_on_website' PSI 1.70" in head
    assert "lead_origin" not in head


# -- 2. the logistic-regression baseline ----------------------------------------------------


def bank_export(n: int = 4000, seed: int = 8) -> pl.DataFrame:
    """After the UCI bank-marketing export: no created-at column; job / education with an
    "unknown" level; contact always "cellular" in this extract (one level = the
    intercept); pdays 999 = never contacted, previous 0 and poutcome "nonexistent" for
    the same 86% of clients (three encodings of one fact, collinear with the missing
    flag once 999 is read as missing); euribor3m on its own scale; y yes/no."""
    rng = np.random.default_rng(seed)
    job = rng.choice(["admin.", "blue-collar", "technician", "retired", "student", "unknown"], n)
    education = rng.choice(["university.degree", "high.school", "basic.9y", "unknown"], n)
    contacted = rng.random(n) < 0.14
    success = contacted & (rng.random(n) < 0.35)
    euribor = np.where(rng.random(n) < 0.6, 4.857, rng.uniform(0.6, 1.5, n)).round(3)
    logit = (
        -2.4
        + 2.2 * success
        + 0.9 * (job == "retired")
        + 1.0 * (job == "student")
        + 0.8 * (euribor < 2)
    )
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    days, times = rng.integers(1, 20, n), rng.integers(1, 4, n)
    outcome = np.where(success, "success", np.where(contacted, "failure", "nonexistent"))
    return pl.DataFrame(
        {
            "client_id": [str(100000 + i) for i in rng.permutation(n)],
            "job": job.tolist(),
            "education": education.tolist(),
            "contact": ["cellular"] * n,
            "pdays": [str(int(d)) if c else "999" for c, d in zip(contacted, days, strict=True)],
            "previous": [str(int(p)) if c else "0" for c, p in zip(contacted, times, strict=True)],
            "poutcome": outcome.tolist(),
            "euribor3m": [str(v) for v in euribor],
            "y": np.where(y, "yes", "no").tolist(),
        }
    )


@pytest.mark.parametrize("with_inf", [False, True])
def test_logistic_baseline_fits_collinear_columns_and_finds_the_signal(with_inf):
    from leadscore.core.metrics import log_loss, roc_auc
    from leadscore.flat import assign_split, baseline_scores, examples, train_baseline

    raw = bank_export()
    if with_inf:
        # a ratio computed before the export (pandas writes x / 0 as "inf"): 5% of cells.
        # The hand-written solver turned the whole design matrix into NaN and crashed.
        every_20th = pl.int_range(pl.len()) % 20 == 0
        raw = raw.with_columns(
            euribor3m=pl.when(every_20th).then(pl.lit("inf")).otherwise(pl.col("euribor3m"))
        )
    cfg = FlatConfig("client_id", "y", missing_values=("", "999", "unknown"))
    leads, _ = assign_split(prepare(raw, cfg).leads, cfg, today=datetime(2025, 1, 1))
    frame = examples(leads)
    model = train_baseline(frame.filter(pl.col("snapshot_role") == "train"))
    holdout = frame.filter(pl.col("snapshot_role") == "holdout")
    scored = baseline_scores(model, holdout)
    p = scored["baseline_ranking"].to_numpy()
    y = holdout["label"].cast(pl.Int8).to_numpy()
    assert np.isfinite(p).all() and p.min() > 0 and p.max() < 1
    assert roc_auc(y, p) > 0.7
    # better than the base rate: a real fit, not every lead at 0 or at the average
    base = np.full(len(y), y.mean())
    assert log_loss(y, p) < log_loss(y, base) - 0.02
    assert scored["rules_score"].n_unique() > 5


def test_summary_says_when_no_model_is_useful_and_names_the_stratified_split(tmp_path, capsys):
    # the bank export has no created-at column (stratified split); its latest model was
    # rejected as no better than chance, so the baseline tiers the open leads
    from leadscore.flat.summary import print_flat_summary

    prepared = prepare(bank_export(600), FlatConfig("client_id", "y"))
    con = summary_db(tmp_path / "s.duckdb", prepared, [])
    con.sql("delete from ml.ml_model_registry")
    con.sql(
        "insert into ml.ml_model_registry values ('m_2', 'no champion yet; holdout AUC 0.512 "
        "(95% interval 0.470-0.554, 2,089 leads) is not credibly above min_useful_auc 0.55', "
        "40, 'rejected', timestamp '2024-06-03', false, 1.0, 0.0)"
    )
    con.sql("update marts.model_performance set holdout_from = date '2000-01-03'")
    con.sql("update marts.lead_scores set score_source = 'rules'")
    print_flat_summary(con)
    out = capsys.readouterr().out
    assert "NO USEFUL MODEL: holdout AUC 0.512" in out
    assert "tiered by the logistic-regression baseline" in out
    assert "2000-01-03" not in out and "stratified" in out


# -- 6. small things ----------------------------------------------------------------------


def test_an_export_with_every_label_filled_says_which_leads_get_scored(tmp_path, capsys):
    # a pipeline export of closed deals only: every label filled, nothing open to score
    raw = pipeline_export(800).filter(pl.col("won") != "").drop("close_date", "close_value")
    prepared = prepare(raw, FlatConfig("opportunity_id", "won", "engage_date"))
    assert any("no open leads" in m and "empty label" in m for m in prepared.messages)
    from leadscore.flat.summary import print_flat_summary

    con = summary_db(tmp_path / "s.duckdb", prepared, [])
    con.sql("delete from marts.lead_scores")
    con.sql("delete from intermediate.flat_examples where snapshot_role = 'scoring'")
    print_flat_summary(con)
    out = capsys.readouterr().out
    assert "open leads scored:          0" in out
    assert "leave the label empty" in out


def test_a_trailing_comma_does_not_become_a_feature():
    # every line of the export ends with a comma: DuckDB names the empty last column
    # column09 (its position); it must not show up as a feature called column09
    raw = course_export(300).with_columns(column09=pl.lit(None, dtype=pl.String))
    prepared = prepare(raw, FlatConfig("Prospect ID", "Converted", "Created On"))
    assert "column09" not in prepared.profile["column_name"].to_list()
    assert any("column09" in m and "trailing comma" in m for m in prepared.messages)
    # a real column that happens to be named like that, with values, stays
    named = course_export(300).with_columns(column09=pl.lit("x"))
    profile = prepare(named, FlatConfig("Prospect ID", "Converted", "Created On")).profile
    assert "column09" in profile["column_name"].to_list()


def test_single_column_encoding_is_the_smoothed_rate_in_the_other_folds():
    # the formula of the leakage encoder (scikit-learn's TargetEncoder on our folds):
    # a row's key -> (conversions + 20 * rate) / (leads + 20) over the other folds, where
    # rate is the other folds' conversion rate; a key unseen there -> that rate
    from leadscore.flat.leakage import _out_of_fold_target_encoding

    keys = np.array(["a", "a", "b", "b", "a", "c", "b", "a"], dtype=object)
    label = np.array([1, 0, 1, 1, 1, 0, 0, 1])
    folds = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    encoded = _out_of_fold_target_encoding(keys, label, folds)
    fold1_rate, fold0_rate = 2 / 4, 3 / 4  # the other fold's rate for rows of fold 0, 1
    expected = [
        (2 + 20 * fold1_rate) / (2 + 20),  # 'a' in fold 1: 2 leads, 2 converted
        (2 + 20 * fold1_rate) / (2 + 20),
        (0 + 20 * fold1_rate) / (1 + 20),  # 'b' in fold 1: 1 lead, 0 converted
        (0 + 20 * fold1_rate) / (1 + 20),
        (1 + 20 * fold0_rate) / (2 + 20),  # 'a' in fold 0: 2 leads, 1 converted
        fold0_rate,  # 'c' never in fold 0
        (2 + 20 * fold0_rate) / (2 + 20),
        (1 + 20 * fold0_rate) / (2 + 20),
    ]
    assert encoded == pytest.approx(expected, abs=1e-12)
