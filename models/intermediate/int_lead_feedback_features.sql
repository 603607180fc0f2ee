{#- Point-in-time rep feedback of every example (lead, as_of) that has any: the latest
    verdict given strictly before as_of and the number of rejections before it. A
    verdict given at or after as_of is not visible (it is what the example predicts
    around). Examples without an earlier verdict have no row (features default in
    int_lead_features_joined). -#}
with

spine as (
    select * from {{ ref('int_lead_snapshots_filtered') }}
),

feedback as (
    select * from {{ ref('int_sales_feedback_mapped') }}
),

visible as (
    select
        spine.lead_id,
        spine.as_of,
        feedback.verdict_label,
        feedback.is_acceptance,
        feedback.created_at,
        feedback.feedback_id
    from spine
    inner join feedback
        on
            spine.lead_id = feedback.lead_id
            and feedback.created_at < spine.as_of
),

ranked as (
    select
        lead_id,
        as_of,
        verdict_label,
        -- bigint on both engines (DuckDB's sum of integers is a 128-bit integer)
        cast(sum(case when is_acceptance then 0 else 1 end) over (
            partition by lead_id, as_of
        ) as bigint) as rep_rejections,
        row_number() over (
            partition by lead_id, as_of order by created_at desc, feedback_id desc
        ) as recency
    from visible
),

final as (
    select
        lead_id,
        as_of,
        verdict_label as last_rep_verdict,
        rep_rejections
    from ranked
    where recency = 1
)

select * from final
