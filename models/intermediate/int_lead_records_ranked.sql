{%- set hashed_parts = [] -%}
{%- for column in [
    'source_lead_id', 'email', 'job_title', 'company_name', 'company_domain', 'account_id',
    'lead_source_raw', 'country_raw', 'created_at_raw', 'updated_at', 'owner_id', 'is_deleted',
    'is_email_bounced', 'is_unsubscribed', 'budget_range', 'purchase_timeline', 'stated_need',
] -%}
{%- do hashed_parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
{%- if not loop.last %}{% do hashed_parts.append("'|'") %}{% endif -%}
{%- endfor -%}
{#- Every exported lead row, ranked within its lead id. The contract says "duplicates
    possible": an export paged or re-run twice repeats whole records, and a record
    edited between two pages is re-sent with a later updated_at. Rule: the latest
    updated_at wins (then the latest created_at, then the record's hash: deterministic);
    record_rank 1 is the version used, the others are quarantined in
    int_leads_quarantined as 'duplicate_record' (an exact copy of another row of the
    id) or 'superseded_record' (an older, different version). record_hash is computed
    for the ids with more than one record only (null for the others). -#}
with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

repeated_ids as (
    select source_lead_id
    from leads
    group by source_lead_id
    having count(*) > 1
),

-- only the ids with more than one record (and the rows without an id, ranked together
-- as one group) need ranking and hashing: most ids have one record
repeated as (
    select leads.*
    from leads
    inner join repeated_ids on leads.source_lead_id = repeated_ids.source_lead_id
    union all
    select *
    from leads
    where source_lead_id is null
),

hashed as (
    select
        *,
        {{ dbt.hash(dbt.concat(hashed_parts)) }} as record_hash
    from repeated
),

ranked as (
    select
        *,
        row_number() over (
            partition by source_lead_id
            order by updated_at desc nulls last, created_at desc nulls last, record_hash asc
        ) as record_rank
    from hashed
),

repeated_ranked as (
    select
        *,
        -- a copy of a better-ranked row with the same content
        record_rank > min(record_rank) over (partition by source_lead_id, record_hash) as is_exact_copy
    from ranked
),

single as (
    select
        leads.*,
        cast(null as {{ dbt.type_string() }}) as record_hash,
        1 as record_rank,
        false as is_exact_copy
    from leads
    left join repeated_ids on leads.source_lead_id = repeated_ids.source_lead_id
    where leads.source_lead_id is not null and repeated_ids.source_lead_id is null
),

final as (
    select * from repeated_ranked
    union all
    select * from single
)

select * from final
