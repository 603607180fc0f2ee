{#- One row per person: the surviving lead record (see int_lead_ids_mapped), its
    source channel, seniority, department and country standardised through seeds.
    A person is deleted only when every record is; bounced or unsubscribed when any is. -#}
with

leads as (
    -- the latest version of each lead id (older versions and copies: quarantined)
    select * from {{ ref('int_lead_records_ranked') }}
    where record_rank = 1
),

id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
    where not is_quarantined
),

titles as (
    select * from {{ ref('int_job_titles_classified') }}
),

source_mapping as (
    select * from {{ ref('int_lead_sources_keyed') }}
),

country_mapping as (
    select * from {{ ref('int_country_codes_keyed') }}
),

records as (
    select
        id_map.lead_id,
        leads.*
    from leads
    inner join id_map on leads.source_lead_id = id_map.source_lead_id
),

person_flags as (
    select
        lead_id,
        count(*) as record_count,
        bool_and(is_deleted) as is_deleted,
        bool_or(is_email_bounced) as is_email_bounced,
        bool_or(is_unsubscribed) as is_unsubscribed
    from records
    group by lead_id
),

survivors as (
    select * from records
    where lead_id = source_lead_id
),

final as (
    select
        survivors.lead_id,
        survivors.email,
        survivors.email_normalized,
        survivors.account_id,
        survivors.company_domain,
        survivors.owner_id,
        survivors.created_at,
        survivors.job_title,
        survivors.lead_source_raw,
        survivors.budget_range,
        survivors.purchase_timeline,
        survivors.stated_need,
        person_flags.record_count,
        person_flags.is_deleted,
        person_flags.is_email_bounced,
        person_flags.is_unsubscribed,
        coalesce(titles.seniority, 'unknown') as seniority,
        coalesce(titles.department, 'unknown') as department,
        case
            when survivors.lead_source_key is null then 'unknown'
            else coalesce(source_mapping.channel, 'other')
        end as channel,
        coalesce(country_mapping.country_code, 'unknown') as country_code
    from survivors
    inner join person_flags on survivors.lead_id = person_flags.lead_id
    left join titles on survivors.job_title = titles.job_title
    left join source_mapping on survivors.lead_source_key = source_mapping.lead_source_key
    left join country_mapping on survivors.country_key = country_mapping.country_key
)

select * from final
