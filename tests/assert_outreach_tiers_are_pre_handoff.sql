{#- Every lead in an outreach tier (lead_scores.tier not null: hot, warm, cool, cold)
    is one sales does not own yet: its latest stage before the score date, read
    directly from the stage changes, comes before var('handoff_stage') in seed
    lifecycle_stages. Also: an in_pipeline row never has a tier. Returns the offenders. -#}
{{ config(enabled=not is_flat_mode()) }}

with

scores as (
    select * from {{ ref('lead_scores') }}
),

stage_changes as (
    select * from {{ ref('int_stage_changes_mapped') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

latest_stage as (
    select
        scores.lead_id,
        stage_changes.stage,
        stage_changes.stage_order
    from scores
    inner join stage_changes
        on
            scores.lead_id = stage_changes.lead_id
            and stage_changes.changed_at < scores.as_of
    qualify row_number() over (
        partition by scores.lead_id
        order by stage_changes.changed_at desc, stage_changes.stage_order desc
    ) = 1
),

final as (
    select
        scores.lead_id,
        scores.status,
        scores.tier,
        latest_stage.stage
    from scores
    inner join latest_stage on scores.lead_id = latest_stage.lead_id
    inner join stages on stages.stage = '{{ var("handoff_stage") }}'
    where
        (scores.tier is not null and latest_stage.stage_order >= stages.stage_order)
        or (scores.status = 'in_pipeline' and scores.tier is not null)
)

select * from final
