{#- Contract table accounts: each lead's own firmographics (account_id lead:<id>; a
    lead's company fields are filled when it is created) and the live accounts. -#}
with

leads as (
    select *
    from {{ connector_table('salesforce', 'lead', {
        'id': 'string',
        'master_record_id': 'string',
        'company': 'string',
        'website': 'string',
        'industry': 'string',
        'number_of_employees': 'string',
        'annual_revenue': 'string',
        'country': 'string',
    }, keep_deleted=true) }} as lead
),

accounts as (
    select *
    from {{ connector_table('salesforce', 'account', {
        'id': 'string',
        'name': 'string',
        'website': 'string',
        'industry': 'string',
        'number_of_employees': 'string',
        'annual_revenue': 'string',
        'billing_country': 'string',
    }) }} as account
),

final as (
    select
        'lead:' || id as account_id,
        company as company_name,
        {{ website_domain('website') }} as domain,
        industry,
        number_of_employees as employee_count,
        annual_revenue,
        country,
        cast(null as {{ crm_type('string') }}) as tech_stack
    from leads
    where not (is_removed and master_record_id is not null)
    union all
    select
        id as account_id,
        name as company_name,
        {{ website_domain('website') }} as domain,
        industry,
        number_of_employees as employee_count,
        annual_revenue,
        billing_country as country,
        cast(null as {{ crm_type('string') }}) as tech_stack
    from accounts
)

select * from final
