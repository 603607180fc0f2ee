{#- Every lead id seen in the export -> the id of the surviving record of that person.
    Rule: records with the same normalised e-mail are one person; the earliest created
    record survives (ties: the smallest id). Records without an e-mail stand alone.
    Records with an unparseable created_at are quarantined (surviving_lead_id null). -#}
with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

keyed as (
    select
        source_lead_id,
        created_at,
        coalesce(email_normalized, 'lead_id:' || source_lead_id) as person_key
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
    where created_at is not null
),

quarantined as (
    select
        source_lead_id,
        person_key,
        created_at,
        cast(null as varchar) as surviving_lead_id
    from keyed
    where created_at is null
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
