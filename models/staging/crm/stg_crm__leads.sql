with

source as (
    select * from {{ raw_relation('leads') }}
),

renamed as (
    select
        cast(lead_id as {{ dbt.type_string() }}) as source_lead_id,
        nullif(trim(cast(email as {{ dbt.type_string() }})), '') as email,
        lower(nullif(trim(cast(email as {{ dbt.type_string() }})), '')) as email_normalized,
        nullif(trim(cast(job_title as {{ dbt.type_string() }})), '') as job_title,
        nullif(trim(cast(company_name as {{ dbt.type_string() }})), '') as company_name,
        lower(nullif(trim(cast(company_domain as {{ dbt.type_string() }})), '')) as company_domain,
        nullif(trim(cast(account_id as {{ dbt.type_string() }})), '') as account_id,
        cast(lead_source as {{ dbt.type_string() }}) as lead_source_raw,
        {{ normalize_key('lead_source') }} as lead_source_key,
        cast(country as {{ dbt.type_string() }}) as country_raw,
        {{ normalize_key('country') }} as country_key,
        cast(created_at as {{ dbt.type_string() }}) as created_at_raw,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('updated_at') }} as updated_at,
        nullif(trim(cast(owner_id as {{ dbt.type_string() }})), '') as owner_id,
        {{ parse_boolean('is_deleted') }} as is_deleted,
        {{ parse_boolean('email_bounced') }} as is_email_bounced,
        {{ parse_boolean('unsubscribed') }} as is_unsubscribed,
        -- a yes/no flag holding something else ('maybe'): read as false, counted
        {{ is_invalid_boolean('is_deleted') }}
        or {{ is_invalid_boolean('email_bounced') }}
        or {{ is_invalid_boolean('unsubscribed') }} as has_invalid_boolean,
        {{ normalize_key('budget_range') }} as budget_range,
        {{ normalize_key('purchase_timeline') }} as purchase_timeline,
        {{ normalize_key('stated_need') }} as stated_need
    from source
),

final as (
    select * from renamed
)

select * from final
