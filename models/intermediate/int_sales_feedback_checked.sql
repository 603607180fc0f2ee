{#- Every rep verdict (staged sales_feedback) re-keyed to the surviving lead, with its
    class from seed feedback_verdicts and, for unusable rows, the quarantine reason.
    Read by int_sales_feedback_mapped (usable rows) and int_sales_feedback_quarantined. -#}
with

feedback as (
    select * from {{ ref('stg_crm__sales_feedback') }}
),

id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
),

verdicts as (
    select * from {{ ref('feedback_verdicts') }}
),

numbered as (
    select
        *,
        row_number() over (
            partition by source_lead_id, rep_id, verdict, created_at order by source_lead_id
        ) as occurrence
    from feedback
),

final as (
    select
        {{ dbt.hash(
            "coalesce(numbered.source_lead_id, '') || '|' || coalesce(numbered.rep_id, '') || '|'"
            ~ " || coalesce(numbered.verdict, '') || '|' || coalesce(cast(numbered.created_at as "
            ~ dbt.type_string() ~ "), '') || '|' || cast(numbered.occurrence as "
            ~ dbt.type_string() ~ ")"
        ) }} as feedback_id,
        numbered.source_lead_id,
        id_map.lead_id,
        numbered.rep_id,
        numbered.verdict,
        verdicts.verdict_label,
        verdicts.is_acceptance,
        case when verdicts.is_acceptance then 'accepted' else 'rejected' end as verdict_class,
        numbered.created_at,
        case
            when numbered.source_lead_id is null then 'missing_lead_id'
            when numbered.created_at is null then 'unparseable_created_at'
            when id_map.source_lead_id is null then 'unknown_lead'
            when id_map.is_quarantined then 'lead_quarantined'
            when numbered.created_at > {{ dbt.dateadd(
                'hour', var('future_tolerance_hours'), reference_time()
            ) }} then 'future_dated'
            when verdicts.verdict is null then 'unknown_verdict'
            when numbered.occurrence > 1 then 'duplicate_verdict'
        end as quarantine_reason
    from numbered
    left join id_map on numbered.source_lead_id = id_map.source_lead_id
    left join verdicts on numbered.verdict = verdicts.verdict
)

select * from final
