with

source as (
    select * from {{ raw_relation('accounts') }}
),

renamed as (
    select
        cast(account_id as varchar) as account_id,
        nullif(trim(cast(company_name as varchar)), '') as company_name,
        lower(nullif(trim(cast(domain as varchar)), '')) as domain,
        nullif(trim(cast(industry as varchar)), '') as industry,
        cast(employee_count as varchar) as employee_count_raw,
        {{ dbt.safe_cast('employee_count', dbt.type_bigint()) }} as employee_count,
        cast(annual_revenue as varchar) as annual_revenue_raw,
        {{ dbt.safe_cast('annual_revenue', dbt.type_float()) }} as annual_revenue,
        {{ normalize_key('country') }} as country_key,
        lower(cast(tech_stack as varchar)) as tech_stack
    from source
),

final as (
    select * from renamed
)

select * from final
