{#- Account rows that cannot be used: no id, or a repeated id (the first row by
    company name is kept in int_accounts_enriched). -#}
with

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

checked as (
    select
        account_id,
        company_name,
        case
            when account_id is null then 'missing_account_id'
            when row_number() over (partition by account_id order by company_name nulls last) > 1
                then 'duplicate_account_id'
        end as quarantine_reason
    from accounts
),

final as (
    select * from checked
    where quarantine_reason is not null
)

select * from final
