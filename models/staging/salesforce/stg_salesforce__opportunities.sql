{#- The opportunity each converted lead became -> contract table opportunities.
    closed_at = when the opportunity entered its final stage (opportunity_history),
    else close_date. -#}
with

leads as (
    select *
    from {{ connector_table('salesforce', 'lead', {
        'id': 'string',
        'converted_opportunity_id': 'string',
    }) }} as lead
    where converted_opportunity_id is not null
),

opportunities as (
    select *
    from {{ connector_table('salesforce', 'opportunity', {
        'id': 'string',
        'account_id': 'string',
        'stage_name': 'string',
        'created_date': 'timestamp',
        'close_date': 'timestamp',
        'is_closed': 'boolean',
        'is_won': 'boolean',
        'amount': 'float',
    }) }} as opportunity
),

stage_history as (
    select *
    from {{ connector_table('salesforce', 'opportunity_history', {
        'opportunity_id': 'string',
        'stage_name': 'string',
        'created_date': 'timestamp',
    }) }} as opportunity_history
),

final_stage_entries as (
    select
        opportunities.id as opportunity_id,
        min(stage_history.created_date) as entered_at
    from opportunities
    inner join stage_history
        on opportunities.id = stage_history.opportunity_id and opportunities.stage_name = stage_history.stage_name
    group by opportunities.id
),

final as (
    select
        opportunities.id as opportunity_id,
        leads.id as lead_id,
        opportunities.account_id,
        opportunities.created_date as created_at,
        case
            when opportunities.is_closed then coalesce(final_stage_entries.entered_at, opportunities.close_date)
        end as closed_at,
        coalesce(opportunities.is_won, false) as is_won,
        opportunities.amount
    from opportunities
    inner join leads on opportunities.id = leads.converted_opportunity_id
    left join final_stage_entries on opportunities.id = final_stage_entries.opportunity_id
    qualify row_number() over (partition by opportunities.id order by leads.id) = 1
)

select * from final
