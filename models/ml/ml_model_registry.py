"""Train the lead conversion model (CatBoost) and record it with its holdout metrics.

Thin on purpose: the logic lives in leadscore.training and is tested with pytest.
"""

from leadscore.training import LabelDefinition, TrainParams, train_model


def model(dbt, session):
    dbt.config(materialized="table")
    examples = dbt.ref("ml_training_examples").pl()
    params = TrainParams(
        iterations=int(dbt.config.get("catboost_iterations")),
        depth=int(dbt.config.get("catboost_depth")),
        learning_rate=float(dbt.config.get("catboost_learning_rate")),
        random_seed=int(dbt.config.get("catboost_random_seed")),
    )
    label = LabelDefinition(
        conversion_stage=str(dbt.config.get("conversion_stage")),
        prediction_horizon_days=int(dbt.config.get("prediction_horizon_days")),
    )
    trained = train_model(examples, params, label)
    return trained.registry_row()
