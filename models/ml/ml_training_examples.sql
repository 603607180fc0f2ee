{#- Labelled examples for training and the out-of-time holdout: one row per
    (lead, as_of) on matured snapshot dates. label = the lead reached
    var('conversion_stage') within var('prediction_horizon_days') days from as_of.
    Every column except lead_id, as_of, snapshot_role and label is a model feature.
    Flat mode: the labelled leads of the flat export (models/flat/flat_examples). -#}
with
{% if is_flat_mode() %}
flat as (
    select * from {{ ref('flat_examples') }}
    where snapshot_role in ('train', 'holdout')
),

final as (
    select * from flat
)
{% else %}

features as (
    select * from {{ ref('int_lead_features_joined') }}
    where snapshot_role in ('train', 'holdout')
),

spine as (
    select * from {{ ref('int_lead_snapshots_filtered') }}
),

final as (
    select
        features.*,
        coalesce(
            spine.converted_at
            < {{ dbt.dateadd('day', var('prediction_horizon_days'), 'spine.as_of') }},
            false
        ) as label
    from features
    inner join spine
        on
            features.lead_id = spine.lead_id
            and features.as_of = spine.as_of
)
{% endif %}

select * from final
