{#- Population stability index per monitored feature and for the score: current open
    leads against the training reference. PSI = sum over bins of
    (current share - reference share) * ln(current share / reference share), shares
    floored at 0.0001. Bands: < 0.1 stable, 0.1-0.25 moderate, > 0.25 significant. -#}
with

bins as (
    select * from {{ ref('flat_feature_drift_bins') if is_flat_mode() else ref('int_feature_drift_bins') }}
),

floored as (
    select
        feature,
        kind,
        reference_rows,
        current_rows,
        greatest(coalesce(reference_share, 0), 0.0001) as reference_share,
        greatest(coalesce(current_share, 0), 0.0001) as current_share
    from bins
),

per_feature as (
    select
        feature,
        kind,
        sum(reference_rows) as reference_rows,
        sum(current_rows) as current_rows,
        count(*) as bins,
        sum((current_share - reference_share) * ln(current_share / reference_share)) as psi
    from floored
    group by feature, kind
),

final as (
    select
        feature,
        kind,
        cast(reference_rows as bigint) as reference_rows,
        cast(current_rows as bigint) as current_rows,
        cast(bins as bigint) as bins,
        round(psi, 6) as psi,
        case
            when psi < 0.1 then 'stable'
            when psi <= {{ var('psi_alert_threshold') }} then 'moderate'
            else 'significant'
        end as drift_band,
        psi > {{ var('psi_alert_threshold') }} as is_alert
    from per_feature
)

select * from final
