with

source as (
    select * from {{ raw_relation('opportunities') }}
),

renamed as (
    select
        cast(opportunity_id as varchar) as opportunity_id,
        cast(lead_id as varchar) as source_lead_id,
        cast(account_id as varchar) as account_id,
        cast(created_at as varchar) as created_at_raw,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('closed_at') }} as closed_at,
        {{ dbt.safe_cast('is_won', dbt.type_boolean()) }} as is_won,
        {{ dbt.safe_cast('amount', dbt.type_float()) }} as amount
    from source
),

final as (
    select * from renamed
)

select * from final
