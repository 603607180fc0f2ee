{#- Lead records that cannot be used, with the reason (the first that applies):
    missing_lead_id; duplicate_record (an exact copy of a kept row) and
    superseded_record (an older version of the lead id: the latest updated_at wins,
    see int_lead_records_ranked); unparseable_created_at; future_dated / too_old
    (created_at out of range, see date_range_reason). -#}
with

leads as (
    select * from {{ ref('int_lead_records_ranked') }}
),

checked as (
    select
        source_lead_id,
        email,
        created_at_raw,
        case
            when source_lead_id is null then 'missing_lead_id'
            when is_exact_copy then 'duplicate_record'
            when record_rank > 1 then 'superseded_record'
            when created_at is null then 'unparseable_created_at'
            else {{ date_range_reason('created_at') }}
        end as quarantine_reason
    from leads
),

final as (
    select * from checked
    where quarantine_reason is not null
)

select * from final
