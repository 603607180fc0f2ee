{#- Per account: how many technologies of its tech stack are in the seed
    icp_technologies, and their summed weight. The stack is a delimited list
    (',', ';', '|' or '/'), matched case-insensitively after trimming. -#}
with

accounts as (
    select
        account_id,
        tech_stack
    from {{ ref('stg_crm__accounts') }}
    where account_id is not null and tech_stack is not null
),

technologies as (
    select
        lower(trim(technology)) as technology,
        weight
    from {{ ref('icp_technologies') }}
),

items as (
    select
        account_id,
        {{ split_to_rows('tech_stack', "'[,;|/]'") }} as item
    from accounts
),

exploded as (
    select distinct
        account_id,
        lower(trim(item)) as technology
    from items
),

final as (
    select
        exploded.account_id,
        count(*) as icp_tech_matches,
        sum(technologies.weight) as icp_tech_weight
    from exploded
    inner join technologies on exploded.technology = technologies.technology
    group by exploded.account_id
)

select * from final
