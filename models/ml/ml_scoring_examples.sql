{#- The feature rows of every open lead at the score date, one row per lead. -#}
with

features as (
    select * from {{ ref('int_lead_features_joined') }}
),

final as (
    select * from features
    where snapshot_role = 'scoring'
)

select * from final
