{#- Each distinct page path -> category, by the first matching rule of seed page_categories. -#}
with

paths as (
    select distinct page_path from {{ ref('stg_crm__events') }}
    where page_path is not null
),

rules as (
    select * from {{ ref('page_categories') }}
),

final as (
    select
        paths.page_path,
        rules.page_category
    from paths
    inner join rules on {{ regex_matches('paths.page_path', 'rules.path_pattern') }}
    qualify row_number() over (partition by paths.page_path order by rules.priority) = 1
)

select * from final
