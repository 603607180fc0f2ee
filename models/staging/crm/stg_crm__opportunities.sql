with

source as (
    select * from {{ raw_relation('opportunities') }}
),

renamed as (
    select
        cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
        cast(lead_id as {{ dbt.type_string() }}) as source_lead_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(created_at as {{ dbt.type_string() }}) as created_at_raw,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('closed_at') }} as closed_at,
        -- 'Won' / 'Closed Won' / true / 1 -> true, 'Lost' / false / 0 -> false, else null
        {{ parse_won('is_won') }} as is_won,
        {{ is_invalid_boolean('is_won', won_values(), lost_values()) }} as is_won_invalid,
        -- text ('lots'), NaN and infinity -> null and flagged; negative -> null and flagged
        case
            when {{ parse_number('amount', dbt.type_float()) }} >= 0
                then {{ parse_number('amount', dbt.type_float()) }}
        end as amount,
        {{ is_not_a_number('amount') }} as is_amount_not_a_number,
        coalesce({{ parse_number('amount', dbt.type_float()) }} < 0, false) as is_amount_negative
    from source
),

final as (
    select * from renamed
)

select * from final
