{#- HubSpot companies -> contract table accounts. The tech stack is HubSpot's
    web_technologies property (';'-separated). -#}
with

companies as (
    select *
    from {{ connector_table('hubspot', 'company', {
        'id': 'string',
        'property_name': 'string',
        'property_domain': 'string',
        'property_industry': 'string',
        'property_numberofemployees': 'string',
        'property_annualrevenue': 'string',
        'property_country': 'string',
        'property_web_technologies': 'string',
    }) }} as company
),

final as (
    select
        id as account_id,
        property_name as company_name,
        property_domain as domain,
        property_industry as industry,
        property_numberofemployees as employee_count,
        property_annualrevenue as annual_revenue,
        property_country as country,
        property_web_technologies as tech_stack
    from companies
)

select * from final
