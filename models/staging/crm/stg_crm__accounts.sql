with

source as (
    select * from {{ raw_relation('accounts') }}
),

renamed as (
    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        nullif(trim(cast(company_name as {{ dbt.type_string() }})), '') as company_name,
        lower(nullif(trim(cast(domain as {{ dbt.type_string() }})), '')) as domain,
        nullif(trim(cast(industry as {{ dbt.type_string() }})), '') as industry,
        {{ number_text('employee_count') }} as employee_count_raw,
        {{ dbt.safe_cast('employee_count', dbt.type_bigint()) }} as employee_count,
        {{ number_text('annual_revenue') }} as annual_revenue_raw,
        {{ dbt.safe_cast('annual_revenue', dbt.type_float()) }} as annual_revenue,
        {{ normalize_key('country') }} as country_key,
        lower(cast(tech_stack as {{ dbt.type_string() }})) as tech_stack
    from source
),

final as (
    select * from renamed
)

select * from final
