{#- The champion and the rules baseline, scored on the same out-of-time holdout
    leads: AUC, PR-AUC, log loss, Brier, calibration error, top-decile lift. -#}
with

evaluation as (
    select * from {{ ref('ml_model_evaluation') }}
),

registry as (
    select * from {{ ref('ml_model_registry') }}
),

final as (
    select
        evaluation.model_id,
        evaluation.scorer,
        registry.holdout_from,
        registry.holdout_to,
        evaluation.examples,
        evaluation.positives,
        evaluation.auc,
        evaluation.pr_auc,
        evaluation.log_loss,
        evaluation.brier,
        evaluation.ece,
        evaluation.top_decile_lift
    from evaluation
    inner join registry on evaluation.model_id = registry.model_id
)

select * from final
