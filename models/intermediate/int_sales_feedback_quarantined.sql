{#- Rep verdicts that cannot be used, with the reason (counted in marts.data_quality). -#}
with

checked as (
    select * from {{ ref('int_sales_feedback_checked') }}
),

final as (
    select
        feedback_id,
        source_lead_id,
        rep_id,
        verdict,
        created_at,
        quarantine_reason
    from checked
    where quarantine_reason is not null
)

select * from final
