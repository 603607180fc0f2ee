"""Flat mode: one row per lead with a "converted" column, as exported from a spreadsheet.

The pre-flight (macros/validate_flat_source.sql) has already stopped the build when the
file is empty, a named column is missing, the label has values other than yes/no,
the id column has blanks or duplicates, or only one class is labelled. Here:

- text is trimmed and placeholder values ("Select", "N/A", "unknown", ...) become
  missing;
- each column's type is inferred: boolean, numeric, date or categorical;
- the created-at column (when given) yields weekday/hour features and the
  out-of-time split; other dates become "days after created-at";
- every candidate feature is checked for leakage: filled only for one class, or
  predicting the label almost perfectly on its own (out-of-fold single-column AUC);
- labelled leads are split into train (fit + validation) and holdout, out-of-time by
  created-at or stratified by label; leads with an empty label are the open leads;
- a plain logistic regression (a scikit-learn pipeline: one-hot, imputation with
  missing indicators, standardisation, L2) is the baseline scorer.

Pure functions over polars frames; the dbt Python models in models/flat/ call them.
"""

from leadscore.flat.baseline import (
    MISSING_LEVEL,
    LogisticBaseline,
    baseline_scores,
    train_baseline,
)
from leadscore.flat.cells import (
    Inferred,
    clean_text,
    feature_name,
    find_column,
    infer_column,
    parse_dates,
    parse_label,
    placeholder_counts,
)
from leadscore.flat.config import (
    DATE_FORMATS,
    DEFAULT_MISSING_VALUES,
    FALSE_VALUES,
    PARSE_SHARE,
    TRUE_VALUES,
    FlatConfig,
    FlatInputError,
)
from leadscore.flat.drift import DRIFT_SCHEMA, drift_bins
from leadscore.flat.leakage import identifier_reason, pure_values, single_column_auc
from leadscore.flat.prepare import PROFILE_SCHEMA, Prepared, prepare
from leadscore.flat.quality import DATA_QUALITY_SCHEMA, data_quality_counts
from leadscore.flat.split import assign_split, examples

__all__ = [
    "DATA_QUALITY_SCHEMA",
    "DATE_FORMATS",
    "DEFAULT_MISSING_VALUES",
    "DRIFT_SCHEMA",
    "FALSE_VALUES",
    "MISSING_LEVEL",
    "PARSE_SHARE",
    "PROFILE_SCHEMA",
    "TRUE_VALUES",
    "FlatConfig",
    "FlatInputError",
    "Inferred",
    "LogisticBaseline",
    "Prepared",
    "assign_split",
    "baseline_scores",
    "clean_text",
    "data_quality_counts",
    "drift_bins",
    "examples",
    "feature_name",
    "find_column",
    "identifier_reason",
    "infer_column",
    "parse_dates",
    "parse_label",
    "placeholder_counts",
    "prepare",
    "pure_values",
    "single_column_auc",
    "train_baseline",
]
