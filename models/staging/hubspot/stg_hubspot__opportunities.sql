{#- HubSpot deals -> contract table opportunities, one row per (deal, contact) so that
    every contact of a deal with several contacts has it (opportunity_id
    <deal_id>:<contact_id>). Won/lost from deal_pipeline_stage (closed_won; probability
    0 = closed lost); closed_at = when the deal entered its current closed stage
    (deal_stage), else property_closedate. -#}
with

deals as (
    select *
    from {{ connector_table('hubspot', 'deal', {
        'deal_id': 'string',
        'deal_pipeline_stage_id': 'string',
        'property_createdate': 'timestamp',
        'property_closedate': 'timestamp',
        'property_amount': 'float',
    }) }} as deal
),

deal_contacts as (
    select * from {{ connector_table('hubspot', 'deal_contact', {'deal_id': 'string', 'contact_id': 'string'}) }} as deal_contact
),

deal_companies as (
    select
        deal_id,
        min(company_id) as company_id
    from {{ connector_table('hubspot', 'deal_company', {'deal_id': 'string', 'company_id': 'string'}) }} as deal_company
    group by deal_id
),

pipeline_stages as (
    select *
    from {{ connector_table('hubspot', 'deal_pipeline_stage', {
        'stage_id': 'string',
        'closed_won': 'boolean',
        'probability': 'float',
    }) }} as deal_pipeline_stage
),

stage_entries as (
    select *
    from {{ connector_table('hubspot', 'deal_stage', {
        'deal_id': 'string',
        'value': 'string',
        'date_entered': 'timestamp',
    }) }} as deal_stage
),

id_map as (
    select * from {{ ref('stg_hubspot__contact_merges') }}
),

deal_status as (
    select
        deals.deal_id,
        deals.property_createdate as created_at,
        deals.property_amount as amount,
        coalesce(pipeline_stages.closed_won, false) as is_won,
        coalesce(pipeline_stages.closed_won, false) or pipeline_stages.probability = 0 as is_closed,
        coalesce((
            select max(stage_entries.date_entered)
            from stage_entries
            where stage_entries.deal_id = deals.deal_id and stage_entries.value = deals.deal_pipeline_stage_id
        ), deals.property_closedate) as entered_current_stage_at
    from deals
    left join pipeline_stages on deals.deal_pipeline_stage_id = pipeline_stages.stage_id
),

final as (
    select distinct
        deal_status.deal_id || ':' || coalesce(id_map.lead_id, deal_contacts.contact_id) as opportunity_id,
        coalesce(id_map.lead_id, deal_contacts.contact_id) as lead_id,
        deal_companies.company_id as account_id,
        deal_status.created_at,
        case when deal_status.is_closed then deal_status.entered_current_stage_at end as closed_at,
        deal_status.is_won,
        deal_status.amount
    from deal_status
    inner join deal_contacts on deal_status.deal_id = deal_contacts.deal_id
    left join id_map on deal_contacts.contact_id = id_map.contact_id
    left join deal_companies on deal_status.deal_id = deal_companies.deal_id
)

select * from final
