"""The model lifecycle: features, training, calibration, evaluation, the registry policy,
scoring and reasons. The dbt Python models in models/ml/ call these modules."""
