with

source as (
    select * from {{ raw_relation('experiment_assignments') }}
),

renamed as (
    select
        cast(lead_id as {{ dbt.type_string() }}) as source_lead_id,
        cast(experiment_id as {{ dbt.type_string() }}) as experiment_id,
        lower(trim(cast(variant as {{ dbt.type_string() }}))) as variant,
        {{ parse_timestamp('assigned_at') }} as assigned_at
    from source
),

final as (
    select * from renamed
)

select * from final
