{#- Lifecycle stage entries that cannot be used, with the reason. -#}
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
            when id_map.source_lead_id is null then 'unknown_lead'
            when id_map.is_quarantined then 'lead_quarantined'
            when stages.stage is null then 'unknown_stage'
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
