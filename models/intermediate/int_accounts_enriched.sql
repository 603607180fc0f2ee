{#- One row per account: firmographics with implausible numbers set to null (and
    flagged), the company-size and revenue bands, ISO country and tech-stack matches
    against the seed icp_technologies. -#}
with

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
    where account_id is not null
    qualify row_number() over (partition by account_id order by company_name nulls last) = 1
),

size_bands as (
    select * from {{ ref('company_size_bands') }}
),

revenue_bands as (
    select * from {{ ref('revenue_bands') }}
),

country_mapping as (
    select * from {{ ref('int_country_codes_keyed') }}
),

tech_matches as (
    select * from {{ ref('int_account_tech_matches') }}
),

validated as (
    select
        account_id,
        company_name,
        domain,
        industry,
        country_key,
        tech_stack,
        case
            when employee_count between 1 and {{ var('max_employee_count', 5000000) }}
                then employee_count
        end as employee_count,
        case
            when annual_revenue between 0 and {{ var('max_annual_revenue', 1e13) }}
                then annual_revenue
        end as annual_revenue,
        employee_count_raw,
        annual_revenue_raw
    from accounts
),

final as (
    select
        validated.account_id,
        validated.company_name,
        validated.domain,
        validated.tech_stack,
        validated.employee_count,
        validated.annual_revenue,
        coalesce(validated.industry, 'unknown') as industry,
        coalesce(size_bands.size_band, 'unknown') as company_size_band,
        coalesce(revenue_bands.revenue_band, 'unknown') as revenue_band,
        coalesce(country_mapping.country_code, 'unknown') as company_country_code,
        coalesce(tech_matches.icp_tech_matches, 0) as icp_tech_matches,
        coalesce(tech_matches.icp_tech_weight, 0) as icp_tech_weight,
        -- a value that was given but is not a plausible number became null (counted)
        validated.employee_count_raw is not null
        and validated.employee_count is null as is_employee_count_invalid,
        validated.annual_revenue_raw is not null
        and validated.annual_revenue is null as is_annual_revenue_invalid
    from validated
    left join size_bands
        on validated.employee_count between size_bands.min_employees and size_bands.max_employees
    left join revenue_bands
        on
            validated.annual_revenue >= revenue_bands.min_revenue
            and validated.annual_revenue < revenue_bands.max_revenue
    left join country_mapping on validated.country_key = country_mapping.country_key
    left join tech_matches on validated.account_id = tech_matches.account_id
)

select * from final
