{#- The feature rows of every open lead at the score date, one row per lead.
    Flat mode: the leads of the flat export with an empty label. -#}
with
{% if is_flat_mode() %}
flat as (
    select * exclude (label) from {{ ref('flat_examples') }}
),

final as (
    select * from flat
    where snapshot_role = 'scoring'
)
{% else %}
features as (
    select * from {{ ref('int_lead_features_joined') }}
),

final as (
    select * from features
    where snapshot_role = 'scoring'
)
{% endif %}

select * from final
