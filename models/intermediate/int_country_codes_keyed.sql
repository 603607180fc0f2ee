{{ config(materialized='view') }}
{#- Seed country_codes keyed by normalize_key(spelling), for joins from any table. -#}
with

codes as (
    select * from {{ ref('country_codes') }}
),

final as (
    select distinct
        {{ normalize_key('country_value') }} as country_key,
        country_code
    from codes
)

select * from final
