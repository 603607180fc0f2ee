{#- Usable rep verdicts: on a known lead (re-keyed to the surviving record), with a
    parsed, not future-dated time and a verdict listed in seed feedback_verdicts.
    Outcome-side data: a feature only where it precedes an example's as_of
    (int_lead_feedback_features). Unusable rows: int_sales_feedback_quarantined. -#}
with

checked as (
    select * from {{ ref('int_sales_feedback_checked') }}
),

final as (
    select
        feedback_id,
        lead_id,
        source_lead_id,
        rep_id,
        verdict,
        verdict_label,
        is_acceptance,
        verdict_class,
        created_at
    from checked
    where quarantine_reason is null
)

select * from final
