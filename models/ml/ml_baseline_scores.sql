{#- The baseline scorer the model is compared with, one row per (lead, as_of) on the
    score and holdout dates: the rules points (seed scoring_rules) in CRM mode, a plain
    logistic regression in flat mode (models/flat/flat_baseline_scores.py).
    In flat mode baseline_ranking holds the regression's probability. -#}
{{ config(materialized='view') }}

with

{% if is_flat_mode() -%}
baseline as (
    select * from {{ ref('flat_baseline_scores') }}
),

final as (
    select * from baseline
)
{%- else -%}
rules as (
    {#- without the incremental table's bookkeeping columns #}
    select {{ star_except(['attributes_key', 'checked_through', 'settings_key']) }}
    from {{ ref('int_lead_rules_scores') }}
),

final as (
    select * from rules
)
{%- endif %}

select * from final
