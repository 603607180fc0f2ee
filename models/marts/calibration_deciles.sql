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
        cast(ntile(10) over (order by probability, lead_id, as_of) as bigint) as decile
    from holdout
),

final as (
    select
        model_id,
        decile,
        count(*) as leads,
        {#- explicit result types: the engines type sum(integer), ntile and avg of a
            decimal literal differently (DuckDB hugeint / bigint / double, Spark bigint /
            int / decimal) #}
        cast(sum(case when label then 1 else 0 end) as bigint) as conversions,
        cast(avg(probability) as double) as mean_predicted_probability,
        -- integers: avg of the decimal literals 1.0 / 0.0 is a decimal(6,5) on Spark
        cast(avg(case when label then 1 else 0 end) as double) as actual_conversion_rate,
        min(probability) as min_probability,
        max(probability) as max_probability
    from binned
    group by model_id, decile
)

select * from final
