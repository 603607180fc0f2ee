{#- HubSpot keeps a merged contact's history on the surviving contact and lists the
    merged ids on it: property_hs_merged_object_ids ('<id>;<id>', today's connector)
    or, in syncs made before HubSpot's v3 contacts API, property_hs_calculated_merged_vids
    ('<vid>:<epoch ms>;...'). Whichever the table has is read (both: today's first).
    Every contact id seen -> the contact it lives on, so engagements, form submissions
    and deals of a merged-away id follow the person. -#}
with

contacts as (
    select *
    from {{ connector_table('hubspot', 'contact', {
        'id': 'string',
        'property_hs_merged_object_ids': 'string',
        'property_hs_calculated_merged_vids': 'string',
    }, keep_deleted=true) }} as contact
),

merged_lists as (
    select
        id as lead_id,
        coalesce(
            nullif(trim(property_hs_merged_object_ids), ''),
            nullif(trim(property_hs_calculated_merged_vids), '')
        ) as merged_list
    from contacts
    where not is_removed
),

positions as (
    {#- a contact can be merged at most 250 times in HubSpot; 0 .. 999 covers it -#}
    {{ integer_series(3) }}
),

merged_entries as (
    select
        merged_lists.lead_id,
        trim({{ crm_split_part(crm_split_part('merged_lists.merged_list', "';'", 'positions.n'), "':'", 1) }})
            as contact_id
    from merged_lists
    inner join positions
        on
            positions.n between 1 and length(merged_lists.merged_list)
            - length(replace(merged_lists.merged_list, ';', '')) + 1
    where merged_lists.merged_list is not null
),

merged as (
    select
        contact_id,
        min(lead_id) as lead_id
    from merged_entries
    where contact_id != lead_id and contact_id != ''
    group by contact_id
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
