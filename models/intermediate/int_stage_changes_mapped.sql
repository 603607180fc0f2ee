{#- Lifecycle stage entries re-keyed to the surviving lead, with the stage order from
    the lifecycle_stages seed. Rows whose lead, stage or time cannot be resolved, whose
    time is out of range (date_range_reason) or that repeat an entry (same lead id,
    stage and time: the first copy is kept) are left out here and counted in
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

final as (
    select
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
    qualify row_number() over (
        partition by changes.source_lead_id, changes.stage, changes.changed_at
        order by changes.changed_at_raw, changes.stage_raw
    ) = 1
)

select * from final
