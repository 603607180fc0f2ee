{{ config(materialized='view') }}
{#- Seed lead_source_mapping keyed by normalize_key(spelling), for joins from any table. -#}
with

mapping as (
    select * from {{ ref('lead_source_mapping') }}
),

final as (
    select distinct
        {{ normalize_key('source_value') }} as lead_source_key,
        channel
    from mapping
)

select * from final
