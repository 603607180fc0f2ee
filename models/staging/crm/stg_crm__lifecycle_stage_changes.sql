with

source as (
    select * from {{ raw_relation('lifecycle_stage_changes') }}
),

renamed as (
    select
        cast(lead_id as {{ dbt.type_string() }}) as source_lead_id,
        cast(stage as {{ dbt.type_string() }}) as stage_raw,
        replace({{ normalize_key('stage') }}, ' ', '_') as stage,
        cast(changed_at as {{ dbt.type_string() }}) as changed_at_raw,
        {{ parse_timestamp('changed_at') }} as changed_at
    from source
),

final as (
    select * from renamed
)

select * from final
