with

source as (
    select * from {{ raw_relation('sales_feedback') }}
),

renamed as (
    select
        cast(lead_id as varchar) as source_lead_id,
        cast(rep_id as varchar) as rep_id,
        replace({{ normalize_key('verdict') }}, ' ', '_') as verdict,
        {{ parse_timestamp('created_at') }} as created_at
    from source
),

final as (
    select * from renamed
)

select * from final
