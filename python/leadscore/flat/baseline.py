"""The flat-mode baseline: a plain logistic regression (a scikit-learn pipeline) and
its per-lead reasons."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.pipeline import Pipeline

KEY_COLUMNS = ("lead_id", "as_of", "snapshot_role", "label", "created_at")
MISSING_LEVEL = "(missing)"


@dataclass
class LogisticBaseline:
    """The scikit-learn pipeline every reader recognises: per feature column, categories
    one-hot encoded (levels seen fewer than 10 times pooled, at most 50 levels, empty
    cells a level of their own) or numbers median-imputed with a missing indicator; then
    all columns standardised and an L2-penalised logistic regression (lbfgs). One
    transformer per column, so each output column maps back to its feature."""

    pipeline: Pipeline
    categorical: list[str]
    numeric: list[str]
    output_feature: list[str]  # feature of each column the logistic regression sees

    def _input(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(
            *(pl.col(c).cast(pl.String).fill_null(MISSING_LEVEL) for c in self.categorical),
            # NaN and +-inf ("inf" parses as a number) are missing for the imputer
            *(
                pl.when(pl.col(c).cast(pl.Float64).is_finite())
                .then(pl.col(c).cast(pl.Float64))
                .alias(c)
                for c in self.numeric
            ),
        )

    def probability(self, frame: pl.DataFrame) -> np.ndarray:
        if frame.height == 0:
            return np.zeros(0)
        return self.pipeline.predict_proba(self._input(frame))[:, 1]

    def terms(self, frame: pl.DataFrame) -> np.ndarray:
        """Per row and feature: the feature's part of the linear predictor (the sum over
        its one-hot levels or its value and missing indicator)."""
        transformed = self.pipeline[:-1].transform(self._input(frame))
        coef = self.pipeline[-1].coef_[0]
        features = [*self.categorical, *self.numeric]
        out = np.zeros((frame.height, len(features)))
        index = {f: i for i, f in enumerate(features)}
        for j, feature in enumerate(self.output_feature):
            out[:, index[feature]] += transformed[:, j] * coef[j]
        return out


def train_baseline(train: pl.DataFrame) -> LogisticBaseline:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    categorical: list[str] = []
    numeric: list[str] = []
    for name, dtype in train.schema.items():
        if name in KEY_COLUMNS:
            continue
        (categorical if dtype == pl.String else numeric).append(name)
    columns = [
        (
            f"c{i}",
            OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                min_frequency=10,
                max_categories=50,
                sparse_output=False,
            ),
            [name],
        )
        for i, name in enumerate(categorical)
    ] + [
        (
            f"n{i}",
            SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            [name],
        )
        for i, name in enumerate(numeric)
    ]
    pipeline = Pipeline(
        [
            ("columns", ColumnTransformer(columns, remainder="drop", sparse_threshold=0)),
            ("scale", StandardScaler()),
            ("logistic", LogisticRegression(C=1.0, max_iter=2000)),
        ]
    )
    model = LogisticBaseline(pipeline, categorical, numeric, [])
    pipeline.fit(model._input(train), train["label"].cast(pl.Int8).to_numpy())
    transformer = pipeline.named_steps["columns"]
    width = pipeline.named_steps["scale"].n_features_in_
    output = [""] * width
    for i, name in enumerate(categorical):
        for j in range(width)[transformer.output_indices_[f"c{i}"]]:
            output[j] = name
    for i, name in enumerate(numeric):
        for j in range(width)[transformer.output_indices_[f"n{i}"]]:
            output[j] = name
    model.output_feature = output
    return model


def baseline_scores(model: LogisticBaseline, frame: pl.DataFrame, k: int = 3) -> pl.DataFrame:
    """Probability, 0-100 score and the top reasons (largest per-feature terms of the
    linear predictor, measured from the average of the scored rows) for every row."""
    from leadscore.core.explain import render

    probability = model.probability(frame)
    features = [*model.categorical, *model.numeric]
    contributions = model.terms(frame) if frame.height else np.zeros((0, len(features)))
    # relative to an average lead: subtract each feature's mean term over these rows
    contributions -= contributions.mean(axis=0, keepdims=True) if frame.height else 0
    order = np.argsort(-contributions, axis=1, kind="stable")
    out: dict[str, list] = {}
    for direction, picks in (("positive", order[:, :k]), ("negative", order[:, ::-1][:, :k])):
        for i in range(k):
            sentences: list[str | None] = [None] * frame.height
            if i < len(features):
                idx = picks[:, i]
                value = contributions[np.arange(frame.height), idx]
                keep = value > 1e-9 if direction == "positive" else value < -1e-9
                for f in np.unique(idx[keep]):
                    rows = np.flatnonzero(keep & (idx == f))
                    rendered = render(features[f], frame[features[f]].gather(rows), {})
                    for r, s in zip(rows, rendered.to_list(), strict=True):
                        sentences[r] = s
            out[f"rules_{direction}_reason_{i + 1}"] = sentences
    return pl.DataFrame(
        {
            "lead_id": frame["lead_id"],
            "as_of": frame["as_of"].cast(pl.Datetime("us")),
            "snapshot_role": frame["snapshot_role"],
            "rules_points": pl.Series(probability * 100, dtype=pl.Float64),
            "rules_score": pl.Series(np.round(probability * 100), dtype=pl.Float64).cast(pl.Int32),
            **{
                f"rules_{d}_reason_{i}": pl.Series(out[f"rules_{d}_reason_{i}"], dtype=pl.String)
                for i in range(1, k + 1)
                for d in ("positive", "negative")
            },
            "rules_matched": pl.Series((np.abs(contributions) > 1e-9).sum(axis=1), dtype=pl.Int64),
            "baseline_ranking": pl.Series(probability, dtype=pl.Float64),
        }
    )
