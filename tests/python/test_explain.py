"""SHAP contributions through per-leaf tables equal CatBoost's own ShapValues; the
reasons pick the same features as a full stable sort."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from catboost import CatBoostClassifier

from leadscore.core.explain import LeafShap, largest_first, shap_values
from leadscore.core.features import FeatureSpec, infer_spec
from leadscore.core.training import pool_for, predict, train_model
from test_training import FAST, examples


def with_two_categories(n: int, seed: int) -> pl.DataFrame:
    """examples() plus a second text feature that interacts with the first (so CatBoost
    builds combinations of categories) and missing numbers."""
    frame = examples(n, seed=seed)
    rng = np.random.default_rng(seed + 100)
    region = rng.choice(["emea", "amer", "apac", None], frame.height)
    x = frame["x"].to_numpy().copy()
    x[rng.random(frame.height) < 0.05] = np.nan
    return frame.with_columns(
        region=pl.Series(region.tolist(), dtype=pl.String),
        x=pl.Series(x).fill_nan(None),
        label=frame["label"]
        | ((pl.Series(region.tolist()) == "apac") & (frame["channel"] == "paid")).fill_null(False),
    )


def catboost_shap(model: CatBoostClassifier, spec: FeatureSpec, frame: pl.DataFrame):
    return model.get_feature_importance(data=pool_for(frame, spec), type="ShapValues")[:, :-1]


@pytest.mark.parametrize("combinations", [1, 3])
def test_per_leaf_shap_equals_catboost_shap_for_a_trained_model(combinations):
    params = replace(FAST, extra={"max_ctr_complexity": combinations})
    trained = train_model(with_two_categories(3000, 0), params, log=lambda _: None)
    assert LeafShap.supports(trained.model)
    assert "region" in trained.spec.categorical and "channel" in trained.spec.categorical
    rows = with_two_categories(2000, 7)
    expected = catboost_shap(trained.model, trained.spec, rows)
    # small batches: the leaf tables must hold leaves first reached in any batch
    got = shap_values(trained.model, trained.spec, rows, batch_rows=150, per_leaf_from_rows=1)
    assert got.shape == expected.shape == (2000, len(trained.spec.names))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)
    assert np.abs(expected).max() > 0.1  # the model is not flat
    # the probabilities from the same pools are predict()'s, to the bit
    probabilities = np.empty(rows.height)
    shap_values(trained.model, trained.spec, rows, 150, 1, probabilities=probabilities)
    assert np.array_equal(probabilities, predict(trained.model, trained.spec, rows))
    direct = np.empty(40)
    shap_values(trained.model, trained.spec, rows.head(40), probabilities=direct)
    assert np.array_equal(direct, predict(trained.model, trained.spec, rows.head(40)))
    # summed in blocks of rows that do not divide the row count, nor the lookup batches
    blocks = LeafShap(trained.model).values(rows, trained.spec, batch_rows=150, sum_rows=70)
    np.testing.assert_allclose(blocks, expected, rtol=0, atol=1e-10)
    assert blocks.flags.c_contiguous
    # threads: the per-leaf tables and the blocks' sums side by side give the same bits
    # as one thread (each block's additions in the same order), more threads than blocks too
    for threads in (2, 3, 40):
        threaded = LeafShap(trained.model).values(
            rows, trained.spec, batch_rows=150, sum_rows=70, threads=threads
        )
        assert np.array_equal(
            threaded,
            LeafShap(trained.model).values(rows, trained.spec, 150, sum_rows=70, threads=1),
        )
    # the direct path (few rows) gives the same
    small = rows.head(40)
    np.testing.assert_allclose(
        shap_values(trained.model, trained.spec, small), expected[:40], rtol=0, atol=1e-10
    )


def test_trees_that_are_not_symmetric_get_catboost_shap():
    """CatBoost cannot cut single trees out of such a model: the direct path is taken."""
    frame = with_two_categories(3000, 2)
    spec = infer_spec(frame)
    model = CatBoostClassifier(
        iterations=40,
        depth=5,
        grow_policy="Lossguide",
        max_leaves=12,
        random_seed=0,
        verbose=False,
        allow_writing_files=False,
    )
    model.fit(pool_for(frame, spec, with_label=True))
    rows = with_two_categories(1000, 11)
    assert not LeafShap.supports(model)
    np.testing.assert_allclose(
        shap_values(model, spec, rows, batch_rows=300, per_leaf_from_rows=1),
        catboost_shap(model, spec, rows),
        rtol=0,
        atol=1e-10,
    )


@pytest.mark.parametrize("k", [1, 3, 6, 12, 13])
def test_largest_first_picks_what_a_stable_sort_picks(k):
    """Ties at and across the k-th place (values on a coarse grid, many zeros and
    repeated positives), as SHAP values of features no tree uses are exactly 0: the
    picks are the stable argsort's, tied zeros and negatives included, and for the
    negative side through the reversed columns as reasons() uses it; k as wide as the
    columns or wider gives every column."""
    rng = np.random.default_rng(k)
    values = np.round(rng.normal(size=(4000, 12)), 1)
    values[rng.random(values.shape) < 0.5] = 0.0
    values[:50] = 0.3  # every column tied
    values[50:60] = -0.2
    width = values.shape[1]
    for signed in (values, -values[:, ::-1], np.asfortranarray(values)):
        before = signed.copy()
        expected = np.argsort(-signed, axis=1, kind="stable")[:, :k]
        assert np.array_equal(largest_first(signed, k), expected)
        # in blocks of rows that do not divide the row count; of the negated values
        assert np.array_equal(largest_first(signed, k, block_rows=333), expected)
        assert np.array_equal(largest_first(-signed, k, negate=True, block_rows=999), expected)
        assert np.array_equal(signed, before)  # the caller's values are left as they were
    assert largest_first(values, 0).shape == (values.shape[0], 0)
    assert largest_first(values[:0], 3).shape == (0, 3)
    # reasons() takes the negative picks as width - 1 - picks of the reversed columns
    order = np.argsort(-values, axis=1, kind="stable")[:, ::-1][:, :k]
    got = width - 1 - largest_first(values[:, ::-1], k, negate=True)
    assert np.array_equal(got, order)
