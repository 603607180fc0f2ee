{#- Each distinct page path -> category, by the first matching rule of seed page_categories. -#}
with

paths as (
    select distinct page_path from {{ ref('stg_crm__events') }}
    where page_path is not null
),

final as (
    {{ classify_by_rules('paths', 'page_path', ref('page_categories'), 'path_pattern', 'page_category') }}
)

select * from final
