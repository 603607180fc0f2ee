{{ config(materialized='view') }}
{#- Seed lead_source_mapping keyed by normalize_key(spelling), for joins from any table,
    with the channel's display name from seed channels (what reasons and the sales queue
    show). Reading channels here also puts it upstream of every lead model, so a build of
    `+<model>` includes the seed that the relationships test of lead_source_mapping
    reads. -#}
with

mapping as (
    select * from {{ ref('lead_source_mapping') }}
),

channels as (
    select * from {{ ref('channels') }}
),

final as (
    select distinct
        {{ normalize_key('mapping.source_value') }} as lead_source_key,
        mapping.channel,
        channels.display_name as channel_display_name
    from mapping
    left join channels on mapping.channel = channels.channel
)

select * from final
