with

source as (
    select * from {{ raw_relation('events') }}
),

renamed as (
    select
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        cast(lead_id as {{ dbt.type_string() }}) as source_lead_id,
        cast(occurred_at as {{ dbt.type_string() }}) as occurred_at_raw,
        {{ parse_timestamp('occurred_at') }} as occurred_at,
        {{ is_canonical_timestamp('cast(occurred_at as ' ~ dbt.type_string() ~ ')') }} as is_occurred_at_canonical,
        cast(event_type as {{ dbt.type_string() }}) as event_type_raw,
        -- exact known types skip the regular expression (most rows, at 50M events)
        case
            when cast(event_type as {{ dbt.type_string() }}) in (
                {%- for t in var('event_types') %}
                '{{ t }}'{{ "," if not loop.last }}
                {%- endfor %}
            ) then cast(event_type as {{ dbt.type_string() }})
            else replace({{ normalize_key('event_type') }}, ' ', '_')
        end as event_type,
        lower(nullif(trim(cast(page_path as {{ dbt.type_string() }})), '')) as page_path,
        nullif(trim(cast(campaign_id as {{ dbt.type_string() }})), '') as campaign_id,
        lower(nullif(trim(cast(device_type as {{ dbt.type_string() }})), '')) as device_type,
        nullif(trim(cast(session_id as {{ dbt.type_string() }})), '') as session_id,
        -- text ('ten'), NaN and infinity -> null, flagged for marts.data_quality
        {{ parse_number('duration_seconds', dbt.type_bigint()) }} as duration_seconds,
        {{ is_not_a_number('duration_seconds') }} as is_duration_not_a_number,
        -- where the row came from: the watermark of the incremental cleaning
        -- (int_events_checked); null when the source is no parquet folder
        {%- if events_file_columns_available() %}
        {{ raw_file_name('filename') }} as source_file,
        file_row_number as source_row
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as bigint) as source_row
        {%- endif %}
    from source
),

final as (
    select * from renamed
)

select * from final
