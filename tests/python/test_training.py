"""Training and scoring functions on small synthetic frames."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from leadscore.core.features import infer_spec, to_matrices
from leadscore.core.scoring import score_holdout, score_open_leads
from leadscore.core.training import (
    NotEnoughHistory,
    TrainParams,
    predict,
    sample_for_fit,
    train_model,
)

FAST = TrainParams(iterations=60, depth=4, learning_rate=0.2)


def examples(n: int = 3000, seed: int = 0) -> pl.DataFrame:
    """label depends on a number and a category; the category has nulls."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    channel = rng.choice(["referral", "paid", "outbound", None], n)
    logit = 1.5 * x + np.where(channel == "referral", 1.5, 0.0) - 2.0
    label = rng.random(n) < 1 / (1 + np.exp(-logit))
    start = datetime(2025, 1, 1)
    as_of = [start + timedelta(days=30 * int(k)) for k in rng.integers(0, 10, n)]
    return pl.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "as_of": as_of,
            "snapshot_role": [
                "holdout" if a >= start + timedelta(days=240) else "train" for a in as_of
            ],
            "x": x,
            "noise": rng.normal(size=n),
            "is_flag": rng.random(n) < 0.5,
            "channel": channel.tolist(),
            "label": label,
        }
    )


def test_feature_spec_splits_text_from_numbers():
    spec = infer_spec(examples(50))
    assert spec.categorical == ("channel",)
    assert spec.numeric == ("is_flag", "noise", "x")


def test_missing_categories_are_filled_and_numbers_become_nan():
    frame = examples(50).with_columns(x=pl.lit(None, dtype=pl.Float64))
    num, cat = to_matrices(frame, infer_spec(frame))
    assert np.isnan(num[:, 2]).all()
    assert None not in set(cat[:, 0])


def test_model_learns_the_signal_on_the_out_of_time_holdout():
    trained = train_model(examples(), FAST, log=lambda _: None)
    assert trained.metrics["auc"] > 0.8
    assert trained.counts["holdout_examples"] > 0
    assert trained.window["holdout_from"] > trained.window["train_to"]
    importance = trained.registry_row("champion", "test")["feature_importance_json"][0]
    assert '"x"' in importance


def test_training_is_deterministic():
    a = train_model(examples(), FAST, log=lambda _: None)
    b = train_model(examples().sample(fraction=1.0, shuffle=True, seed=1), FAST, log=lambda _: None)
    assert a.fingerprint == b.fingerprint  # the id also carries the training time
    assert a.metrics == b.metrics


def test_fit_sample_keeps_the_conversions_and_reweights_the_rest():
    frame = examples(4000)
    positives = int(frame["label"].sum())
    negatives = frame.height - positives
    # room for every conversion: all kept, the others sampled and weighted up
    cap = positives + 1000
    sampled, w_pos, w_neg = sample_for_fit(frame, cap, seed=3)
    assert sampled.height == cap
    assert int(sampled["label"].sum()) == positives
    assert (w_pos, w_neg) == (1.0, pytest.approx(negatives / 1000))
    # weighted, the sample has the original class balance
    assert positives / (positives + w_neg * 1000) == pytest.approx(positives / frame.height)
    # conversions above half the cap are sampled too
    sampled, w_pos, w_neg = sample_for_fit(frame, 1000, seed=3)
    assert sampled.height == 1000
    assert int(sampled["label"].sum()) == 500
    assert w_pos == pytest.approx(positives / 500)
    assert w_neg == pytest.approx(negatives / 500)
    assert sample_for_fit(frame, 0, seed=3) == (frame, 1.0, 1.0)
    assert sample_for_fit(frame, 10_000, seed=3) == (frame, 1.0, 1.0)


def test_capped_fit_stays_accurate_and_calibrated():
    """A fit on a third of the examples ranks and calibrates about as well as on all."""
    full = train_model(examples(6000), FAST, log=lambda _: None)
    capped = train_model(examples(6000), replace(FAST, max_fit_examples=1500), log=lambda _: None)
    assert capped.search[0]["fit_examples"] == 1500
    assert capped.search[0]["sample_weights"][1] > 1.5
    assert capped.metrics["auc"] > full.metrics["auc"] - 0.02
    # the reweighting keeps raw probabilities unbiased: mean prediction near the rate
    assert capped.raw_metrics["ece"] < 0.05


def test_one_class_history_is_refused_with_a_clear_message():
    frame = examples().with_columns(label=pl.lit(False))
    with pytest.raises(NotEnoughHistory, match=r"train split has .* 0 conversions"):
        train_model(frame, FAST, log=lambda _: None)


def test_batched_prediction_equals_one_batch():
    frame = examples(500)
    trained = train_model(examples(), FAST, log=lambda _: None)
    whole = predict(trained.model, trained.spec, frame)
    batched = predict(trained.model, trained.spec, frame, batch_rows=37)
    np.testing.assert_array_equal(whole, batched)


DICTIONARY = pl.DataFrame({"feature": ["x"], "template": ["x is {value}"]})


def test_scoring_returns_one_probability_per_open_lead():
    trained = train_model(examples(), FAST, log=lambda _: None)
    row = trained.registry_row("champion", "test").row(0, named=True)
    open_leads = examples(400, seed=9).drop("label")
    scored = score_open_leads(open_leads, row, DICTIONARY, datetime(2026, 1, 1), log=print)
    assert scored.height == 400
    assert scored["lead_id"].n_unique() == 400
    assert scored["probability"].is_between(0, 1).all()
    assert (scored["model_id"] == trained.model_id).all()
    # a referral lead with a high x scores above an outbound lead with a low x
    probe = open_leads.head(2).with_columns(
        x=pl.Series([2.0, -2.0]), channel=pl.Series(["referral", "outbound"])
    )
    p = score_open_leads(probe, row, DICTIONARY, datetime(2026, 1, 1), log=print)["probability"]
    assert p[0] > p[1]
    assert scored["positive_reason_1"].null_count() < 400


def test_scoring_without_the_model_features_falls_back_to_rules(capsys):
    trained = train_model(examples(), FAST, log=lambda _: None)
    row = trained.registry_row("champion", "test").row(0, named=True)
    scored = score_open_leads(examples(10).drop("x"), row, DICTIONARY, datetime(2026, 1, 1))
    assert scored["probability"].null_count() == 10
    assert "falling back to rules" in capsys.readouterr().out


def test_frames_without_the_model_features_are_refused_by_predict():
    trained = train_model(examples(), FAST, log=lambda _: None)
    with pytest.raises(ValueError, match="lacks feature columns"):
        predict(trained.model, trained.spec, examples(10).drop("x"))


def test_the_default_training_is_one_fit_everywhere():
    """The training levers (bench/training_levers.py, docs/training.md): a second
    candidate cost a second fit for +0.0006 holdout AUC at 100k leads, so the product,
    its dbt var and the library default all fit one candidate (the search stays
    available: param_search_trials > 1)."""
    import yaml

    from leadscore.core.training import SearchSpace

    project = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text())
    assert project["vars"]["param_search_trials"] == 1
    assert SearchSpace().trials == 1
    trained = train_model(examples(), FAST, log=lambda _: None)
    assert len(trained.search) == 1
    searched = train_model(examples(), FAST, search=SearchSpace(trials=2), log=lambda _: None)
    assert len(searched.search) == 2


def test_capped_collection_reads_only_the_sample_and_trains_the_same_model():
    """collect_examples sends the engine's capped sample to the driver (keys of every
    row, features of the sampled fit, validation and holdout rows only) and the model
    trained on it is byte-identical to the one trained on every collected row."""
    import duckdb

    from leadscore.core.training import collect_examples

    frame = examples(4000, seed=3)
    params = replace(FAST, max_fit_examples=800)
    con = duckdb.connect()
    con.register("ex", frame.to_arrow())
    relation = con.sql("select * from ex")
    collected = collect_examples(relation, con, params)
    assert collected.height == frame.height
    with_features = collected.filter(pl.col("x").is_not_null())
    fit_and_more = frame.filter(pl.col("snapshot_role") == "holdout").height
    # fit sample (800) + the latest train date (validation) + holdout; not every row
    assert fit_and_more + 800 < with_features.height < frame.height
    full = train_model(frame, params, log=lambda _: None)
    capped = train_model(collected, params, log=lambda _: None)
    assert capped.model_bytes == full.model_bytes
    assert capped.counts == full.counts
    assert capped.search[0]["sample_weights"] == full.search[0]["sample_weights"]
    # no cap: the relation is read whole
    assert collect_examples(relation, con, FAST).equals(frame)


def test_holdout_scoring_reuses_stored_rows_and_calibrates_all(capsys):
    trained = train_model(examples(), FAST, log=lambda _: None)
    row = trained.registry_row("champion", "test").row(0, named=True)
    holdout = examples().filter(pl.col("snapshot_role") == "holdout")
    keys = holdout.select(
        "lead_id", "as_of", "label", features_hash=holdout.select(trained.spec.names).hash_rows()
    )
    asked = []

    def rows_of(wanted):
        asked.append(None if wanted is None else wanted.height)
        return holdout if wanted is None else holdout.join(wanted, on=["lead_id", "as_of"])

    first = score_holdout(keys, None, row, rows_of)
    assert asked == [None]
    np.testing.assert_array_equal(
        first["uncalibrated_probability"].to_numpy(),
        predict(trained.model, trained.spec, holdout.sort("as_of", "lead_id")),
    )
    # a table stored by the version without features_hash: every row predicted again
    assert score_holdout(keys, first.drop("features_hash"), row, rows_of).equals(first)
    assert asked == [None, None]
    # the same rows stored: none read, none predicted, the same result
    assert score_holdout(keys, first, row, rows_of).equals(first)
    assert asked == [None, None]
    # two stored rows were predicted by another model: only they are read again
    other = first.with_columns(
        model_id=pl.when(pl.int_range(pl.len()) < 2).then(pl.lit("m_other")).otherwise("model_id")
    )
    assert score_holdout(keys, other, row, rows_of).equals(first)
    assert asked == [None, None, 2]
    assert f"holdout: 2 of {first.height:,} rows predicted" in capsys.readouterr().out
