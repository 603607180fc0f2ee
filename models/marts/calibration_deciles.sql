{#- Predicted vs actual conversion by decile of the champion's probability on the
    out-of-time holdout: a calibrated model sits on the diagonal. -#}
with

holdout as (
    select * from {{ ref('ml_holdout_predictions') }}
),

binned as (
    select
        model_id,
        label,
        probability,
        ntile(10) over (order by probability, lead_id, as_of) as decile
    from holdout
),

final as (
    select
        model_id,
        decile,
        count(*) as leads,
        sum(case when label then 1 else 0 end) as conversions,
        avg(probability) as mean_predicted_probability,
        avg(case when label then 1.0 else 0.0 end) as actual_conversion_rate,
        min(probability) as min_probability,
        max(probability) as max_probability
    from binned
    group by model_id, decile
)

select * from final
