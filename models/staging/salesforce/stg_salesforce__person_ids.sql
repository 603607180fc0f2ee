{#- Salesforce ids that stand for a lead: the lead itself, a lead merged into it
    (deleted, master_record_id = the survivor) and the contact it was converted to.
    Activities (who_id) and history rows follow the surviving lead. -#}
with

leads as (
    select *
    from {{ connector_table('salesforce', 'lead', {
        'id': 'string',
        'master_record_id': 'string',
        'converted_contact_id': 'string',
    }, keep_deleted=true) }} as lead
),

unioned as (
    select
        id as person_id,
        case when is_removed and master_record_id is not null then master_record_id else id end as lead_id,
        is_removed and master_record_id is not null as is_merged,
        1 as priority
    from leads
    union all
    select
        converted_contact_id as person_id,
        id as lead_id,
        false as is_merged,
        2 as priority
    from leads
    where converted_contact_id is not null and not is_removed
),

final as (
    select
        person_id,
        lead_id,
        is_merged
    from unioned
    qualify row_number() over (partition by person_id order by priority, lead_id) = 1
)

select * from final
