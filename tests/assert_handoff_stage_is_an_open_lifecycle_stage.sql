{#- var handoff_stage (when set) must name an open stage of seed lifecycle_stages
    (column stage, is_closed false). The test hangs on the seed, so when it fails
    dbt build skips every model downstream instead of silently scoring every lead. -#}
with

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

matched as (
    select count(*) as matching_stages
    from stages
    where
        stage = '{{ var("handoff_stage") }}'
        and not is_closed
),

final as (
    select
        'var handoff_stage: "{{ var("handoff_stage") }}" is not an open stage of seed '
        || 'lifecycle_stages (column stage); name the stage at which leads are handed '
        || 'to sales (default sql), or null to score every open lead' as problem
    from matched
    where
        matching_stages = 0
        and {{ 'true' if var('handoff_stage') else 'false' }}
)

select * from final
