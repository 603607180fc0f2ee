{#- Precision, recall and F1 on the holdout when every lead at or above a tier's
    min_score is flagged, for the model and the rules baseline. -#}
with

evaluation as (
    select * from {{ ref('ml_threshold_evaluation') }}
),

final as (
    select
        model_id,
        scorer,
        tier,
        min_score,
        leads_flagged,
        precision,
        recall,
        f1
    from evaluation
)

select * from final
