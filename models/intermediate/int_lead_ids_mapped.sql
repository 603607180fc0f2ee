{#- Every lead id seen in the export -> the id of the surviving record of that person.
    Rule: records with the same normalised e-mail are one person; the earliest created
    record survives (ties: the smallest id). Records without an e-mail stand alone.
    Each lead id is read from its latest version (int_lead_records_ranked, rank 1).
    Records whose created_at is unparseable, future-dated or too old
    (date_range_reason) are quarantined (surviving_lead_id null). -#}
with

leads as (
    select * from {{ ref('int_lead_records_ranked') }}
    where record_rank = 1
),

keyed as (
    select
        source_lead_id,
        created_at,
        coalesce(email_normalized, 'lead_id:' || source_lead_id) as person_key,
        created_at is null or {{ date_range_reason('created_at') }} is not null as is_unusable
    from leads
    where source_lead_id is not null
),

ranked as (
    select
        source_lead_id,
        person_key,
        created_at,
        first_value(source_lead_id) over (
            partition by person_key
            order by created_at, source_lead_id
        ) as surviving_lead_id
    from keyed
    where not is_unusable
),

quarantined as (
    select
        source_lead_id,
        person_key,
        created_at,
        cast(null as {{ dbt.type_string() }}) as surviving_lead_id
    from keyed
    where is_unusable
),

unioned as (
    select * from ranked
    union all
    select * from quarantined
),

final as (
    select
        source_lead_id,
        surviving_lead_id as lead_id,
        person_key,
        surviving_lead_id is not null and surviving_lead_id != source_lead_id as is_merged,
        surviving_lead_id is null as is_quarantined
    from unioned
    qualify row_number() over (partition by source_lead_id order by created_at) = 1
)

select * from final
