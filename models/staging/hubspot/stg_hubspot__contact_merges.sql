{#- HubSpot keeps a merged contact's history on the surviving contact and lists the
    merged ids in its property_hs_calculated_merged_vids ('<vid>:<epoch ms>;...').
    Every contact id seen -> the contact it lives on, so engagements, form submissions
    and deals of a merged-away id follow the person. -#}
with

contacts as (
    select *
    from {{ connector_table('hubspot', 'contact', {
        'id': 'string',
        'property_hs_calculated_merged_vids': 'string',
    }, keep_deleted=true) }} as contact
),

merged_lists as (
    select
        id as lead_id,
        unnest(string_split(property_hs_calculated_merged_vids, ';')) as merged_entry
    from contacts
    where not is_removed and property_hs_calculated_merged_vids is not null
),

merged as (
    select
        trim({{ dbt.split_part('merged_entry', "':'", 1) }}) as contact_id,
        min(lead_id) as lead_id
    from merged_lists
    where trim({{ dbt.split_part('merged_entry', "':'", 1) }}) != lead_id
    group by 1
),

unmerged as (
    select
        id as contact_id,
        id as lead_id
    from contacts
    where id not in (select merged.contact_id from merged)
),

final as (
    select
        contact_id,
        lead_id,
        true as is_merged
    from merged
    union all
    select
        contact_id,
        lead_id,
        false as is_merged
    from unmerged
)

select * from final
