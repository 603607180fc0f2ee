"""Train CatBoost on labelled (lead, as_of) examples with out-of-time validation.

Splits (by snapshot date, never by row): `train` examples are fitted, except the
latest `validation_snapshots` train dates, which drive early stopping (log loss)
and the parameter search (AUC); `holdout` examples are only scored, to measure the model and to
fit the probability calibration (kept only when it improves log loss out of fold).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
from catboost import CatBoostClassifier, FeaturesData, Pool

from leadscore.core.calibration import (
    CalibrationReport,
    Platt,
    calibrate_on_holdout,
    holdout_metrics,
)
from leadscore.core.features import FeatureSpec, infer_spec, to_matrices
from leadscore.core.metrics import all_metrics, roc_auc


@dataclass(frozen=True)
class TrainParams:
    iterations: int = 500
    depth: int = 6
    learning_rate: float = 0.06
    l2_leaf_reg: float = 3.0
    random_seed: int = 42
    thread_count: int = -1
    # None, 'Balanced' or 'SqrtBalanced'; calibration brings probabilities back
    class_weights: str | None = None
    early_stopping_rounds: int = 50
    # fit on at most this many examples: every conversion is kept and a random share
    # of the others, weighted up so that probabilities stay unbiased (0 = no cap)
    max_fit_examples: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def catboost_kwargs(self) -> dict[str, object]:
        kwargs: dict[str, object] = {
            "iterations": self.iterations,
            "depth": self.depth,
            "learning_rate": self.learning_rate,
            "l2_leaf_reg": self.l2_leaf_reg,
            "random_seed": self.random_seed,
            "thread_count": self.thread_count,
            "loss_function": "Logloss",
            # categorical features dominate training time: keep their combinations simple
            "max_ctr_complexity": 1,
            "boosting_type": "Plain",
            "allow_writing_files": False,
            "verbose": False,
            **self.extra,
        }
        if self.class_weights:
            kwargs["auto_class_weights"] = self.class_weights
        return kwargs


@dataclass(frozen=True)
class SearchSpace:
    """The fixed list of candidates tried after the base parameters: `trials` decides;
    `seconds` is a budget that is only reported when exceeded. One trial (the base
    parameters, one fit) by default: see docs/training.md for what a search buys."""

    trials: int = 1
    seconds: float = 120.0

    def candidates(self, base: TrainParams) -> list[TrainParams]:
        variants = [
            base,
            # class imbalance: the other weighting (calibration restores probabilities)
            replace(base, class_weights=None if base.class_weights else "SqrtBalanced"),
            replace(base, depth=base.depth + 2),
            replace(base, learning_rate=base.learning_rate * 2),
            replace(base, depth=max(2, base.depth - 2)),
            replace(base, l2_leaf_reg=base.l2_leaf_reg * 3),
        ]
        return variants[: max(1, self.trials)]


@dataclass(frozen=True)
class LabelDefinition:
    conversion_stage: str = "customer"
    prediction_horizon_days: int = 90

    def to_dict(self) -> dict[str, object]:
        return {
            "conversion_stage": self.conversion_stage,
            "prediction_horizon_days": self.prediction_horizon_days,
        }


@dataclass
class TrainedModel:
    model: CatBoostClassifier
    label: LabelDefinition
    spec: FeatureSpec
    params: TrainParams
    metrics: dict[str, float]  # holdout, calibrated when calibration was applied
    raw_metrics: dict[str, float]  # holdout, uncalibrated
    calibration: CalibrationReport
    counts: dict[str, int]
    window: dict[str, str]
    search: list[dict[str, object]]
    trained_at: datetime
    fingerprint: str
    model_bytes: bytes

    @property
    def model_id(self) -> str:
        return f"m_{self.trained_at:%Y%m%d%H%M%S}_{self.fingerprint[:8]}"

    def registry_row(self, status: str, status_reason: str) -> pl.DataFrame:
        """One registry row: the model, its data, metrics, calibration and status."""
        importance = dict(
            zip(self.spec.names, self.model.get_feature_importance().tolist(), strict=True)
        )
        row = {
            "model_id": self.model_id,
            "model_fingerprint": self.fingerprint,
            "trained_at": self.trained_at.replace(tzinfo=None),
            "status": status,
            "status_reason": status_reason,
            **self.label.to_dict(),
            **self.window,
            **self.counts,
            "best_iteration": int(self.model.tree_count_),
            **{f"holdout_{k}": float(v) for k, v in self.metrics.items()},
            "holdout_log_loss_uncalibrated": float(self.raw_metrics["log_loss"]),
            "holdout_ece_uncalibrated": float(self.calibration.ece_before),
            "calibration_applied": self.calibration.applied,
            "calibration_slope": self.calibration.platt.slope,
            "calibration_intercept": self.calibration.platt.intercept,
            "params_json": json.dumps(self.params.catboost_kwargs(), sort_keys=True),
            "search_json": json.dumps(self.search),
            "features_json": json.dumps(self.spec.to_dict()),
            "feature_importance_json": json.dumps(importance),
            "model_blob": self.model_bytes,
        }
        return pl.DataFrame([row], schema=REGISTRY_SCHEMA)


REGISTRY_SCHEMA: dict[str, pl.DataType] = {
    "model_id": pl.String(),
    "model_fingerprint": pl.String(),
    "trained_at": pl.Datetime("us"),
    "status": pl.String(),
    "status_reason": pl.String(),
    "conversion_stage": pl.String(),
    "prediction_horizon_days": pl.Int64(),
    "train_from": pl.String(),
    "train_to": pl.String(),
    "validation_from": pl.String(),
    "holdout_from": pl.String(),
    "holdout_to": pl.String(),
    "train_examples": pl.Int64(),
    "train_positives": pl.Int64(),
    "holdout_examples": pl.Int64(),
    "holdout_positives": pl.Int64(),
    "best_iteration": pl.Int64(),
    "holdout_auc": pl.Float64(),
    "holdout_pr_auc": pl.Float64(),
    "holdout_log_loss": pl.Float64(),
    "holdout_brier": pl.Float64(),
    "holdout_ece": pl.Float64(),
    "holdout_top_decile_lift": pl.Float64(),
    "holdout_positive_rate": pl.Float64(),
    "holdout_log_loss_uncalibrated": pl.Float64(),
    "holdout_ece_uncalibrated": pl.Float64(),
    "calibration_applied": pl.Boolean(),
    "calibration_slope": pl.Float64(),
    "calibration_intercept": pl.Float64(),
    "params_json": pl.String(),
    "search_json": pl.String(),
    "features_json": pl.String(),
    "feature_importance_json": pl.String(),
    "model_blob": pl.Binary(),
}


def empty_registry() -> pl.DataFrame:
    return pl.DataFrame(schema=REGISTRY_SCHEMA)


class NotEnoughHistory(ValueError):
    """Raised when the labelled history cannot support a model."""


def sample_for_fit(
    fit: pl.DataFrame, max_examples: int, seed: int
) -> tuple[pl.DataFrame, float, float]:
    """At most `max_examples` rows: every conversion (up to half the rows) and a
    uniform sample of the other examples.

    Returns the rows and the weights of a kept positive and a kept negative (rows of
    the class / kept rows of the class), so that a weighted fit sees the original
    class balance and its probabilities stay unbiased.
    """
    if max_examples <= 0 or fit.height <= max_examples:
        return fit, 1.0, 1.0
    positives = fit.filter(pl.col("label"))
    negatives = fit.filter(~pl.col("label"))
    keep_neg = max(max_examples - positives.height, max_examples // 2)
    keep_pos = max_examples - keep_neg
    parts, weights = [], []
    for rows, keep, salt in ((positives, keep_pos, 1), (negatives, keep_neg, 2)):
        if rows.height > keep:
            parts.append(rows.sample(n=keep, seed=seed + salt, shuffle=False))
            weights.append(rows.height / keep)
        else:
            parts.append(rows)
            weights.append(1.0)
    return pl.concat(parts).sort("as_of", "lead_id"), weights[0], weights[1]


EXAMPLE_KEYS = ("lead_id", "as_of", "snapshot_role", "label")


def rows_to_read(
    keys: pl.DataFrame, max_fit_examples: int, seed: int, validation_snapshots: int = 1
) -> pl.DataFrame | None:
    """The (lead_id, as_of) of the examples whose features `train_model` reads when
    `max_fit_examples` caps the fit set: the fit sample `sample_for_fit` draws (same
    split, order and seed), every validation and every holdout row. None when nothing
    is capped (every row is read). `keys`: EXAMPLE_KEYS of every example."""
    keys = keys.sort("as_of", "lead_id")
    train, fit, validation, holdout = _split(keys, validation_snapshots)
    if validation.height and validation["label"].n_unique() < 2:
        fit, validation = train, train.clear()
    if max_fit_examples <= 0 or fit.height <= max_fit_examples:
        return None
    sampled, _, _ = sample_for_fit(fit, max_fit_examples, seed)
    return pl.concat([sampled, validation, holdout]).select("lead_id", "as_of")


def collect_examples(relation, session, params: TrainParams) -> pl.DataFrame:
    """The training examples of a DuckDB relation or Spark DataFrame as polars, reading
    only what training uses: the key columns of every example, all columns of the rows
    `rows_to_read` names (the other fit rows keep null features, which `sample_for_fit`
    then does not draw). Under the cap the engine sends only the capped sample's
    features to the driver; `train_model` gives the same model as on every row."""
    from leadscore.engines.frames import select_columns, semi_join, to_polars

    keys = to_polars(select_columns(relation, EXAMPLE_KEYS))
    wanted = rows_to_read(keys, params.max_fit_examples, params.random_seed)
    if wanted is None:
        return to_polars(relation)
    chosen = to_polars(semi_join(relation, wanted, session))
    rest = keys.join(chosen.select("lead_id", "as_of"), on=["lead_id", "as_of"], how="anti")
    return pl.concat([chosen, rest.select(chosen.select(EXAMPLE_KEYS).columns)], how="diagonal")


def pool_for(
    frame: pl.DataFrame,
    spec: FeatureSpec,
    with_label: bool = False,
    class_weights: tuple[float, float] = (1.0, 1.0),
) -> Pool:
    num, cat = to_matrices(frame, spec)
    data = FeaturesData(
        num_feature_data=num,
        cat_feature_data=cat,
        num_feature_names=list(spec.numeric),
        cat_feature_names=list(spec.categorical),
    )
    label = frame["label"].cast(pl.Int8).to_numpy() if with_label else None
    weight = None
    if label is not None and class_weights != (1.0, 1.0):
        weight = np.where(label == 1, class_weights[0], class_weights[1])
    return Pool(data=data, label=label, weight=weight)


def serialise(model: CatBoostClassifier) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.cbm"
        model.save_model(str(path))
        return path.read_bytes()


def stamp_identity(model: CatBoostClassifier) -> tuple[str, bytes]:
    """A fingerprint that depends only on what was learned, and the model's bytes.

    CatBoost writes a random GUID and the finish time into every model; both are
    blanked before hashing, then the GUID is set to the fingerprint.
    """
    meta = model.get_metadata()
    meta["model_guid"] = ""
    meta["train_finish_time"] = ""
    fingerprint = hashlib.sha256(serialise(model)).hexdigest()[:16]
    meta["model_guid"] = fingerprint
    return fingerprint, serialise(model)


def deserialise(blob: bytes) -> CatBoostClassifier:
    model = CatBoostClassifier()
    model.load_model(blob=bytes(blob))
    return model


def _window(frame: pl.DataFrame) -> tuple[str, str]:
    if frame.is_empty():
        return "", ""
    return str(frame["as_of"].min()), str(frame["as_of"].max())


def _split(examples: pl.DataFrame, validation_snapshots: int):
    train = examples.filter(pl.col("snapshot_role") == "train")
    holdout = examples.filter(pl.col("snapshot_role") == "holdout")
    dates = train["as_of"].unique().sort()
    if validation_snapshots > 0 and len(dates) > validation_snapshots:
        first_validation = dates[len(dates) - validation_snapshots]
        fit = train.filter(pl.col("as_of") < first_validation)
        validation = train.filter(pl.col("as_of") >= first_validation)
    else:
        fit, validation = train, train.clear()
    return train, fit, validation, holdout


def train_model(
    examples: pl.DataFrame,
    params: TrainParams,
    label: LabelDefinition | None = None,
    search: SearchSpace | None = None,
    validation_snapshots: int = 1,
    log: Callable[[str], None] = print,
) -> TrainedModel:
    """Fit on `train` (early stopping on its latest dates), calibrate and measure on `holdout`."""
    missing = {"lead_id", "as_of", "snapshot_role", "label"} - set(examples.columns)
    if missing:
        raise ValueError(f"training examples lack required columns: {sorted(missing)}")
    examples = examples.sort("as_of", "lead_id")
    train, fit, validation, holdout = _split(examples, validation_snapshots)
    counts = _split_counts(train, holdout)
    if validation.height and validation["label"].n_unique() < 2:
        fit, validation = train, train.clear()
    spec = infer_spec(examples)
    all_fit = fit.height
    fit, w_pos, w_neg = sample_for_fit(fit, params.max_fit_examples, params.random_seed)
    if fit.height < all_fit:
        log(
            f"train: fitting on a sample of {fit.height:,} of {all_fit:,} examples "
            f"(max_fit_examples), weighted {w_pos:.2f} per conversion and {w_neg:.2f} per other"
        )
    log(
        f"train: {fit.height:,} examples ({int(fit['label'].sum()):,} converted) to fit, "
        f"{validation.height:,} to validate, {holdout.height:,} ({counts['holdout_positives']:,}) "
        f"held out; {len(spec.numeric)} numeric + {len(spec.categorical)} categorical features"
    )
    model, chosen, tried = _fit_candidates(
        fit, validation, spec, (w_pos, w_neg), params, search or SearchSpace(), log
    )
    calibration, raw_metrics, metrics = _evaluate_on_holdout(model, holdout, spec, log)
    fingerprint, model_bytes = stamp_identity(model)
    train_from, train_to = _window(train)
    holdout_from, holdout_to = _window(holdout)
    return TrainedModel(
        model=model,
        label=label or LabelDefinition(),
        spec=spec,
        params=chosen,
        metrics=metrics,
        raw_metrics=raw_metrics,
        calibration=calibration,
        counts=counts,
        window={
            "train_from": train_from,
            "train_to": train_to,
            "validation_from": _window(validation)[0],
            "holdout_from": holdout_from,
            "holdout_to": holdout_to,
        },
        search=tried,
        trained_at=datetime.now(UTC),
        fingerprint=fingerprint,
        model_bytes=model_bytes,
    )


def _split_counts(train: pl.DataFrame, holdout: pl.DataFrame) -> dict[str, int]:
    """Examples and conversions per split; both classes are needed in each."""
    counts = {
        "train_examples": train.height,
        "train_positives": int(train["label"].sum() or 0),
        "holdout_examples": holdout.height,
        "holdout_positives": int(holdout["label"].sum() or 0),
    }
    for part in ("train", "holdout"):
        n, pos = counts[f"{part}_examples"], counts[f"{part}_positives"]
        if pos == 0 or pos == n:
            raise NotEnoughHistory(
                f"the {part} split has {n} examples and {pos} conversions: both classes are "
                "needed. Add history, or lower snapshot_interval_days / holdout_snapshots."
            )
    return counts


def _fit_candidates(
    fit: pl.DataFrame,
    validation: pl.DataFrame,
    spec: FeatureSpec,
    weights: tuple[float, float],
    params: TrainParams,
    search: SearchSpace,
    log: Callable[[str], None],
) -> tuple[CatBoostClassifier, TrainParams, list[dict[str, object]]]:
    """Fit every candidate of the fixed list; the best validation AUC wins (the first
    candidate when there is no validation split). Returns the model, its parameters and
    what was tried."""
    w_pos, w_neg = weights
    fit_pool = pool_for(fit, spec, with_label=True, class_weights=weights)
    eval_pool = pool_for(validation, spec, with_label=True) if validation.height else None
    tried: list[dict[str, object]] = []
    best: tuple[float, CatBoostClassifier, TrainParams] | None = None
    started = time.perf_counter()
    # every candidate of the fixed list is tried: the champion must not depend on how
    # busy the machine is; the time budget only reports
    for i, candidate in enumerate(search.candidates(params)):
        t0 = time.perf_counter()
        model = CatBoostClassifier(**candidate.catboost_kwargs())
        if eval_pool is not None:
            model.fit(
                fit_pool,
                eval_set=eval_pool,
                early_stopping_rounds=candidate.early_stopping_rounds,
                use_best_model=True,
            )
            p_val = model.predict_proba(eval_pool)[:, 1]
            # ranking quality decides: weighted candidates are miscalibrated by design
            score = roc_auc(validation["label"].cast(pl.Int8).to_numpy(), p_val)
        else:
            model.fit(fit_pool)
            score = float("nan")
        tried.append(
            {
                "depth": candidate.depth,
                "learning_rate": candidate.learning_rate,
                "l2_leaf_reg": candidate.l2_leaf_reg,
                "class_weights": candidate.class_weights,
                "trees": int(model.tree_count_),
                "fit_examples": fit.height,
                "sample_weights": [round(w_pos, 4), round(w_neg, 4)],
                "validation_auc": round(score, 6),
                "seconds": round(time.perf_counter() - t0, 1),
            }
        )
        log(f"train: candidate {i + 1}: {tried[-1]}")
        if best is None or score > best[0]:
            best = (score, model, candidate)
    assert best is not None
    spent = time.perf_counter() - started
    if spent > search.seconds:
        log(
            f"train: the parameter search took {spent:.0f}s, over param_search_seconds "
            f"({search.seconds:.0f}s); all {len(tried)} candidates were still tried (the "
            "choice must not depend on machine load): lower param_search_trials to save time"
        )
    _, model, chosen = best
    return model, chosen, tried


def _evaluate_on_holdout(
    model: CatBoostClassifier,
    holdout: pl.DataFrame,
    spec: FeatureSpec,
    log: Callable[[str], None],
) -> tuple[CalibrationReport, dict[str, float], dict[str, float]]:
    """Calibrate on the holdout; the raw metrics, and the reported ones: calibrated
    probability metrics on rows the calibrator was not fitted on (cross-fitted), ranking
    metrics on the model's own ranking."""
    y_holdout = holdout["label"].cast(pl.Int8).to_numpy()
    p_raw = model.predict_proba(pool_for(holdout, spec))[:, 1]
    calibration = calibrate_on_holdout(y_holdout, p_raw)
    raw_metrics = all_metrics(y_holdout, p_raw)
    metrics = (
        holdout_metrics(y_holdout, p_raw, calibration.out_of_fold)
        if calibration.applied
        else raw_metrics
    )
    log(
        f"train: {model.tree_count_} trees; holdout AUC {metrics['auc']:.4f}, "
        f"PR-AUC {metrics['pr_auc']:.4f}; calibration error {calibration.ece_before:.4f} -> "
        f"{metrics['ece']:.4f}, log loss {raw_metrics['log_loss']:.4f} -> "
        f"{metrics['log_loss']:.4f} (calibration {calibration.reason})"
    )
    return calibration, raw_metrics, metrics


def predict(
    model: CatBoostClassifier,
    spec: FeatureSpec,
    frame: pl.DataFrame,
    calibration: Platt | None = None,
    batch_rows: int = 200_000,
) -> np.ndarray:
    """Conversion probabilities for every row of `frame`, scored in batches."""
    out = np.empty(frame.height, dtype=np.float64)
    for start in range(0, frame.height, batch_rows):
        part = frame.slice(start, batch_rows)
        out[start : start + part.height] = model.predict_proba(pool_for(part, spec))[:, 1]
    return calibration.apply(out) if calibration is not None else out
