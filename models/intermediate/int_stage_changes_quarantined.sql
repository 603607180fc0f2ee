{#- Lifecycle stage entries that cannot be used, with the reason (the first that
    applies). duplicate_stage_change: the same (lead id, stage, changed_at) exported
    again (the first copy is kept in int_stage_changes_mapped); future_dated / too_old:
    changed_at out of range (date_range_reason). -#}
with

changes as (
    select * from {{ ref('stg_crm__lifecycle_stage_changes') }}
),

id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

checked as (
    select
        changes.source_lead_id,
        changes.stage,
        changes.changed_at_raw,
        case
            when changes.changed_at is null then 'unparseable_changed_at'
            when {{ date_range_reason('changes.changed_at') }} is not null
                then {{ date_range_reason('changes.changed_at') }}
            when id_map.source_lead_id is null then 'unknown_lead'
            when id_map.is_quarantined then 'lead_quarantined'
            when stages.stage is null then 'unknown_stage'
            when row_number() over (
                partition by changes.source_lead_id, changes.stage, changes.changed_at
                order by changes.changed_at_raw, changes.stage_raw
            ) > 1 then 'duplicate_stage_change'
        end as quarantine_reason
    from changes
    left join id_map on changes.source_lead_id = id_map.source_lead_id
    left join stages on changes.stage = stages.stage
),

final as (
    select * from checked
    where quarantine_reason is not null
)

select * from final
