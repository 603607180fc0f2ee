{#- The feature rows of every open lead at the score date that sales does not own
    yet (int_lead_snapshots_filtered.is_sales_owned, var handoff_stage), one row per lead.
    Flat mode: the leads of the flat export with an empty label. A view: the scoring
    step reads the feature rows where they are stored (no copy of 258,000 rows of ~120
    columns at 1M leads in every build); it always holds the latest build's score date.
    (ml_training_examples stays a table: after a scoring-only build, whose features
    hold the score date only, it keeps the last full build's examples for the tools
    that read it.) -#}
{{ config(materialized='view') }}
with
{% if is_flat_mode() %}
flat as (
    select {{ star_except(['label']) }} from {{ ref('flat_examples') }}
),

final as (
    select * from flat
    where snapshot_role = 'scoring'
)
{% else %}
features as (
    select * from {{ ref('int_lead_features_joined') }}
    where snapshot_role = 'scoring'
),

spine as (
    select * from {{ ref('int_lead_snapshots_filtered') }}
    where snapshot_role = 'scoring'
),

final as (
    select features.*
    from features
    inner join spine
        on
            features.lead_id = spine.lead_id
            and features.as_of = spine.as_of
    where not spine.is_sales_owned
)
{% endif %}

select * from final
