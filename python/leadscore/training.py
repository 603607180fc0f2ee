"""Train CatBoost on labelled (lead, as_of) examples with an out-of-time holdout."""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
from catboost import CatBoostClassifier, FeaturesData, Pool

from leadscore.features import FeatureSpec, infer_spec, to_matrices
from leadscore.metrics import all_metrics


@dataclass(frozen=True)
class TrainParams:
    iterations: int = 500
    depth: int = 6
    learning_rate: float = 0.06
    random_seed: int = 42
    thread_count: int = -1
    extra: dict[str, object] = field(default_factory=dict)

    def catboost_kwargs(self) -> dict[str, object]:
        return {
            "iterations": self.iterations,
            "depth": self.depth,
            "learning_rate": self.learning_rate,
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


@dataclass(frozen=True)
class LabelDefinition:
    conversion_stage: str = "customer"
    prediction_horizon_days: int = 90


@dataclass
class TrainedModel:
    model: CatBoostClassifier
    label: LabelDefinition
    spec: FeatureSpec
    params: TrainParams
    metrics: dict[str, float]
    counts: dict[str, int]
    window: dict[str, str]
    trained_at: datetime
    model_id: str
    model_bytes: bytes

    def registry_row(self) -> pl.DataFrame:
        """One row describing the model, with the serialised model itself."""
        importance = dict(
            zip(self.spec.names, self.model.get_feature_importance().tolist(), strict=True)
        )
        return pl.DataFrame(
            {
                "model_id": [self.model_id],
                "trained_at": [self.trained_at.replace(tzinfo=None)],
                "conversion_stage": [self.label.conversion_stage],
                "prediction_horizon_days": [self.label.prediction_horizon_days],
                "train_from": [self.window["train_from"]],
                "train_to": [self.window["train_to"]],
                "holdout_from": [self.window["holdout_from"]],
                "holdout_to": [self.window["holdout_to"]],
                "train_examples": [self.counts["train_examples"]],
                "train_positives": [self.counts["train_positives"]],
                "holdout_examples": [self.counts["holdout_examples"]],
                "holdout_positives": [self.counts["holdout_positives"]],
                "holdout_auc": [self.metrics["auc"]],
                "holdout_pr_auc": [self.metrics["pr_auc"]],
                "holdout_log_loss": [self.metrics["log_loss"]],
                "holdout_brier": [self.metrics["brier"]],
                "holdout_ece": [self.metrics["ece"]],
                "holdout_top_decile_lift": [self.metrics["top_decile_lift"]],
                "params_json": [json.dumps(self.params.catboost_kwargs(), sort_keys=True)],
                "features_json": [json.dumps(self.spec.to_dict())],
                "feature_importance_json": [json.dumps(importance)],
                "model_blob": [self.model_bytes],
            },
            schema_overrides={"model_blob": pl.Binary},
        )


class NotEnoughHistory(ValueError):
    """Raised when the labelled history cannot support a model."""


def _pool(frame: pl.DataFrame, spec: FeatureSpec, with_label: bool) -> Pool:
    num, cat = to_matrices(frame, spec)
    data = FeaturesData(
        num_feature_data=num,
        cat_feature_data=cat,
        num_feature_names=list(spec.numeric),
        cat_feature_names=list(spec.categorical),
    )
    label = frame["label"].cast(pl.Int8).to_numpy() if with_label else None
    return Pool(data=data, label=label)


def serialise(model: CatBoostClassifier) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.cbm"
        model.save_model(str(path))
        return path.read_bytes()


def stamp_identity(model: CatBoostClassifier) -> tuple[str, bytes]:
    """A model id that depends only on what was learned, and the model's bytes.

    CatBoost writes a random GUID and the finish time into every model; both are
    blanked before hashing, then the GUID is set to the id itself.
    """
    meta = model.get_metadata()
    meta["model_guid"] = ""
    meta["train_finish_time"] = ""
    model_id = "m_" + hashlib.sha256(serialise(model)).hexdigest()[:12]
    meta["model_guid"] = model_id
    return model_id, serialise(model)


def deserialise(blob: bytes) -> CatBoostClassifier:
    model = CatBoostClassifier()
    model.load_model(blob=bytes(blob))
    return model


def _window(frame: pl.DataFrame) -> tuple[str, str]:
    if frame.is_empty():
        return "", ""
    return str(frame["as_of"].min()), str(frame["as_of"].max())


def train_model(
    examples: pl.DataFrame,
    params: TrainParams,
    label: LabelDefinition | None = None,
    log: Callable[[str], None] = print,
) -> TrainedModel:
    """Fit on snapshot_role == 'train', measure on snapshot_role == 'holdout'."""
    missing = {"lead_id", "as_of", "snapshot_role", "label"} - set(examples.columns)
    if missing:
        raise ValueError(f"training examples lack required columns: {sorted(missing)}")
    examples = examples.sort("as_of", "lead_id")
    train = examples.filter(pl.col("snapshot_role") == "train")
    holdout = examples.filter(pl.col("snapshot_role") == "holdout")
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
    spec = infer_spec(examples)
    log(
        f"train: {counts['train_examples']:,} examples ({counts['train_positives']:,} "
        f"converted), {len(spec.numeric)} numeric + {len(spec.categorical)} categorical "
        f"features; holdout {counts['holdout_examples']:,} ({counts['holdout_positives']:,})"
    )
    t0 = time.perf_counter()
    model = CatBoostClassifier(**params.catboost_kwargs())
    model.fit(_pool(train, spec, with_label=True))
    p = model.predict_proba(_pool(holdout, spec, with_label=False))[:, 1]
    metrics = all_metrics(holdout["label"].cast(pl.Int8).to_numpy(), p)
    log(
        f"train: {params.iterations} trees in {time.perf_counter() - t0:.1f}s; holdout AUC "
        f"{metrics['auc']:.4f}, PR-AUC {metrics['pr_auc']:.4f}, log loss {metrics['log_loss']:.4f}"
    )
    model_id, model_bytes = stamp_identity(model)
    train_from, train_to = _window(train)
    holdout_from, holdout_to = _window(holdout)
    return TrainedModel(
        model=model,
        label=label or LabelDefinition(),
        spec=spec,
        params=params,
        metrics=metrics,
        counts=counts,
        window={
            "train_from": train_from,
            "train_to": train_to,
            "holdout_from": holdout_from,
            "holdout_to": holdout_to,
        },
        trained_at=datetime.now(UTC),
        model_id=model_id,
        model_bytes=model_bytes,
    )


def predict(
    model: CatBoostClassifier, spec: FeatureSpec, frame: pl.DataFrame, batch_rows: int = 200_000
) -> np.ndarray:
    """Conversion probabilities for every row of `frame`, scored in batches."""
    out = np.empty(frame.height, dtype=np.float64)
    for start in range(0, frame.height, batch_rows):
        part = frame.slice(start, batch_rows)
        out[start : start + part.height] = model.predict_proba(_pool(part, spec, with_label=False))[
            :, 1
        ]
    return out
