{#- The example spine: one row per (lead, as_of) for every lead open at that as-of
    date. Open = created before as_of, not deleted, not yet converted, and its latest
    stage before as_of is not a closed one (seed lifecycle_stages.is_closed). Training
    snapshots only keep leads at most var('max_example_lead_age_days') old; the scoring
    date keeps every open lead. Also carries the lead's stage as of that date.
    Above var('max_training_examples') train-date candidates, a fixed pseudo-random
    share of them is kept (hash of lead and date, so the sample does not move between
    builds): features cost grows with the spine, and a model learns as well from a
    large uniform sample. Holdout and scoring rows are never sampled.
    Sales-owned leads (current stage at or after var('handoff_stage') in the
    lifecycle_stages order) are not examples on training and holdout dates: the
    model learns which leads sales does not own yet will convert. On the score date
    they stay, flagged is_sales_owned (lead_scores lists them as in_pipeline). -#}
with

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
    where not is_deleted
),

dates as (
    select * from {{ ref('int_snapshot_dates') }}
),

stages as (
    select * from {{ ref('int_stage_changes_mapped') }}
),

handoff as (
    {#- var handoff_stage null: no hand-over (null order), every open lead is scored;
        a name that is no open stage stops the build (test
        assert_handoff_stage_is_an_open_lifecycle_stage on the seed) -#}
    select min(stage_order) as handoff_order
    from {{ ref('lifecycle_stages') }}
    where stage = '{{ var("handoff_stage") }}'
),

conversions as (
    select
        lead_id,
        min(changed_at) as converted_at
    from stages
    where stage = {{ var_string("conversion_stage") }}
    group by lead_id
),

all_candidates as (
    select
        leads.lead_id,
        leads.created_at,
        dates.as_of,
        dates.snapshot_role
    from leads
    inner join dates
        on
            leads.created_at < dates.as_of
            and (
                dates.snapshot_role = 'scoring'
                or leads.created_at >= {{ dbt.dateadd(
                    'day', -1 * var('max_example_lead_age_days'), 'dates.as_of'
                ) }}
            )
),

train_share as (
    select
        least(
            1.0, cast({{ var('max_training_examples') }} as double) / greatest(count(*), 1)
        ) as keep_share
    from all_candidates
    where snapshot_role = 'train'
),

candidates as (
    select all_candidates.*
    from all_candidates
    cross join train_share
    where
        -- gap dates (horizon overlapping the holdout) are never used: no features
        all_candidates.snapshot_role != 'gap'
        and (
            all_candidates.snapshot_role != 'train'
            or {{ var('max_training_examples') }} = 0
            or {{ unit_hash('all_candidates.lead_id', 'all_candidates.as_of') }}
            < train_share.keep_share
        )
),

stage_as_of as (
    select
        candidates.lead_id,
        candidates.as_of,
        stages.stage,
        stages.stage_order,
        stages.is_closed,
        stages.changed_at
    from candidates
    inner join stages
        on
            candidates.lead_id = stages.lead_id
            and stages.changed_at < candidates.as_of
    qualify row_number() over (
        partition by candidates.lead_id, candidates.as_of
        order by stages.changed_at desc, stages.stage_order desc
    ) = 1
),

open_examples as (
    select
        candidates.lead_id,
        candidates.as_of,
        candidates.snapshot_role,
        candidates.created_at,
        coalesce(stage_as_of.stage, 'lead') as current_stage,
        coalesce(stage_as_of.changed_at, candidates.created_at) as current_stage_entered_at,
        conversions.converted_at,
        -- a lead without stage changes is at stage 'lead', before any hand-over stage
        coalesce(stage_as_of.stage_order >= handoff.handoff_order, false) as is_sales_owned
    from candidates
    cross join handoff
    left join stage_as_of
        on
            candidates.lead_id = stage_as_of.lead_id
            and candidates.as_of = stage_as_of.as_of
    left join conversions on candidates.lead_id = conversions.lead_id
    where
        (conversions.converted_at is null or conversions.converted_at >= candidates.as_of)
        and not coalesce(stage_as_of.is_closed, false)
),

final as (
    select * from open_examples
    where snapshot_role = 'scoring' or not is_sales_owned
)

select * from final
