{#- Lifecycle stage entries re-keyed to the surviving lead, with the stage order from
    the lifecycle_stages seed. Rows whose lead, stage or time cannot be resolved, whose
    time is out of range (date_range_reason) or that repeat an entry (same lead id,
    stage and time: one copy is kept) are left out here and counted in
    int_stage_changes_quarantined. -#}
with

changes as (
    select * from {{ ref('stg_crm__lifecycle_stage_changes') }}
),

id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
    where not is_quarantined
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

-- copies of an entry (same lead id, stage and time) are equal in every column kept
-- here, so distinct keeps one (cheaper than numbering the copies: 2.4M rows at 1M leads)
final as (
    select distinct
        id_map.lead_id,
        changes.source_lead_id,
        changes.stage,
        stages.stage_order,
        stages.is_closed,
        changes.changed_at
    from changes
    inner join id_map on changes.source_lead_id = id_map.source_lead_id
    inner join stages on changes.stage = stages.stage
    where
        changes.changed_at is not null
        and {{ date_range_reason('changes.changed_at') }} is null
)

select * from final
