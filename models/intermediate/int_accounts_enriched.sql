{#- One row per account: firmographics with the company-size band from the seed. -#}
with

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
    where account_id is not null
    qualify row_number() over (partition by account_id order by company_name) = 1
),

size_bands as (
    select * from {{ ref('company_size_bands') }}
),

country_mapping as (
    select * from {{ ref('int_country_codes_keyed') }}
),

final as (
    select
        accounts.account_id,
        accounts.company_name,
        accounts.domain,
        coalesce(accounts.industry, 'unknown') as industry,
        accounts.employee_count,
        accounts.annual_revenue,
        accounts.tech_stack,
        coalesce(size_bands.size_band, 'unknown') as company_size_band,
        coalesce(country_mapping.country_code, 'unknown') as company_country_code
    from accounts
    left join size_bands
        on accounts.employee_count between size_bands.min_employees and size_bands.max_employees
    left join country_mapping on accounts.country_key = country_mapping.country_key
)

select * from final
