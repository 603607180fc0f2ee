{#- One row per (experiment, lead) assignment whose horizon has matured by the score
    date: did the lead reach var('conversion_stage') within
    var('prediction_horizon_days') of its assignment. First assignment per lead and
    experiment counts; assignments of unknown leads are left out. -#}
with

assignments as (
    select * from {{ ref('stg_crm__experiment_assignments') }}
    where experiment_id is not null and variant in ('control', 'treatment') and assigned_at is not null
),

id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
    where not is_quarantined
),

conversions as (
    select
        lead_id,
        min(changed_at) as converted_at
    from {{ ref('int_stage_changes_mapped') }}
    where stage = {{ var_string("conversion_stage") }}
    group by lead_id
),

score_date as (
    select as_of from {{ ref('int_snapshot_dates') }}
    where snapshot_role = 'scoring'
),

mapped as (
    select
        assignments.experiment_id,
        id_map.lead_id,
        assignments.variant,
        assignments.assigned_at
    from assignments
    inner join id_map on assignments.source_lead_id = id_map.source_lead_id
    qualify row_number() over (
        partition by assignments.experiment_id, id_map.lead_id order by assignments.assigned_at
    ) = 1
),

final as (
    select
        mapped.experiment_id,
        mapped.lead_id,
        mapped.variant,
        mapped.assigned_at,
        coalesce(
            conversions.converted_at >= mapped.assigned_at
            and conversions.converted_at
            < {{ dbt.dateadd('day', var('prediction_horizon_days'), 'mapped.assigned_at') }},
            false
        ) as converted
    from mapped
    cross join score_date
    left join conversions on mapped.lead_id = conversions.lead_id
    where {{ dbt.dateadd('day', var('prediction_horizon_days'), 'mapped.assigned_at') }} <= score_date.as_of
)

select * from final
