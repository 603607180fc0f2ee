{#- HubSpot contacts -> contract table leads. Merged-away contacts are left out (their
    activity follows the survivor, see stg_hubspot__contact_merges); deleted contacts
    are kept with is_deleted so the data-quality mart counts them. -#}
{%- set source_property = var('hubspot_lead_source_property') -%}
{%- set answers = var('hubspot_qualification_properties') -%}
{%- set columns = {
    'id': 'string',
    'property_email': 'string',
    'property_jobtitle': 'string',
    'property_company': 'string',
    'property_associatedcompanyid': 'string',
    'property_country': 'string',
    'property_createdate': 'timestamp',
    'property_lastmodifieddate': 'timestamp',
    'property_hubspot_owner_id': 'string',
    'property_hs_email_optout': 'boolean',
    'property_hs_email_bounce': 'int',
    'property_hs_email_hard_bounce_reason_enum': 'string',
} -%}
{#- var-named properties are read under fixed names (any spelling the warehouse needs
    is handled by connector_table) -#}
{%- do columns.update({'lead_source': ('string', source_property)}) -%}
{%- for answer, property in answers.items() -%}
{%- do columns.update({answer: ('string', property)}) -%}
{%- endfor -%}
with

contacts as (
    select * from {{ connector_table('hubspot', 'contact', columns, keep_deleted=true) }} as contact
),

merged_ids as (
    select * from {{ ref('stg_hubspot__contact_merges') }}
    where is_merged
),

companies as (
    select * from {{ connector_table('hubspot', 'company', {'id': 'string', 'property_domain': 'string'}) }} as company
),

final as (
    select
        contacts.id as lead_id,
        contacts.property_email as email,
        contacts.property_jobtitle as job_title,
        contacts.property_company as company_name,
        companies.property_domain as company_domain,
        contacts.property_associatedcompanyid as account_id,
        contacts.lead_source,
        contacts.property_country as country,
        contacts.property_createdate as created_at,
        contacts.property_lastmodifieddate as updated_at,
        contacts.property_hubspot_owner_id as owner_id,
        contacts.is_removed as is_deleted,
        coalesce(contacts.property_hs_email_bounce, 0) > 0
        or contacts.property_hs_email_hard_bounce_reason_enum is not null as email_bounced,
        coalesce(contacts.property_hs_email_optout, false) as unsubscribed,
        contacts.budget_range,
        contacts.purchase_timeline,
        contacts.stated_need
    from contacts
    left join companies on contacts.property_associatedcompanyid = companies.id
    where contacts.id not in (select merged_ids.contact_id from merged_ids)
)

select * from final
