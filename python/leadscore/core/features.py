"""Which columns of an example frame are features, and how they enter CatBoost."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

# columns that identify an example or hold its outcome; everything else is a feature
KEY_COLUMNS: tuple[str, ...] = ("lead_id", "as_of", "snapshot_role", "label")
MISSING_CATEGORY = "__missing__"


@dataclass(frozen=True)
class FeatureSpec:
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return self.numeric + self.categorical

    def to_dict(self) -> dict[str, list[str]]:
        return {"numeric": list(self.numeric), "categorical": list(self.categorical)}

    @classmethod
    def from_dict(cls, d: dict[str, list[str]]) -> FeatureSpec:
        return cls(numeric=tuple(d["numeric"]), categorical=tuple(d["categorical"]))


def feature_names(columns: list[str]) -> list[str]:
    """The feature columns of an example table's columns: all but the KEY_COLUMNS."""
    return [c for c in columns if c not in KEY_COLUMNS]


def infer_spec(frame: pl.DataFrame) -> FeatureSpec:
    """Text columns are categorical; numbers, booleans and dates are numeric."""
    numeric, categorical = [], []
    for name, dtype in frame.schema.items():
        if name in KEY_COLUMNS:
            continue
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            categorical.append(name)
        elif dtype.is_numeric() or dtype == pl.Boolean:
            numeric.append(name)
        else:
            raise TypeError(
                f"feature column {name!r} has type {dtype}; cast it to a number, boolean "
                "or text in SQL before it reaches the model"
            )
    return FeatureSpec(numeric=tuple(sorted(numeric)), categorical=tuple(sorted(categorical)))


def to_matrices(frame: pl.DataFrame, spec: FeatureSpec) -> tuple[np.ndarray, np.ndarray]:
    """(float32 numeric matrix with NaN for missing, object matrix of category strings)."""
    missing = [c for c in spec.names if c not in frame.columns]
    if missing:
        raise ValueError(f"the example frame lacks feature columns the model needs: {missing}")
    num = (
        frame.select(pl.col(c).cast(pl.Float32) for c in spec.numeric)
        .to_numpy()
        .astype(np.float32, copy=False)
        if spec.numeric
        else np.empty((frame.height, 0), dtype=np.float32)
    )
    cat = (
        frame.select(
            pl.col(c).cast(pl.String).fill_null(MISSING_CATEGORY) for c in spec.categorical
        )
        .to_numpy()
        .astype(object)
        if spec.categorical
        else np.empty((frame.height, 0), dtype=object)
    )
    return num, cat
