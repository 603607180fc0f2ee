{{ config(
    materialized=events_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['source_file', 'source_row'],
    on_schema_change='fail',
    pre_hook="{{ events_checked_pre_hook() }}",
    post_hook="{{ events_checked_post_hook() }}",
) }}
{#- Every exported event with its surviving lead id and the first rule it breaks
    (quarantine_reason, null when clean). int_events_cleaned keeps the clean rows,
    int_events_quarantined the others: nothing is dropped silently. The only table of
    the three, and a narrow one: at 50M events writing every raw column costs more
    than all the cleaning, so it keeps what the features and the data-quality counts
    read (lead, time, type, page, cleaning flags), and the raw text and the
    other columns only on quarantined rows, where they explain the reason. The other
    columns of a clean event (campaign, device, session, duration) stay in the source. -#}
{#- Incremental (docs/incremental.md): a run checks the rows of event files not loaded
    before (the watermark: file names) and re-checks the stored rows whose outcome can
    have changed: those sharing an event id with a new or re-checked row (the duplicate
    ranking is redone over all rows of the id), those whose lead now maps elsewhere
    (a merge, a lead that arrived or was quarantined since) and those quarantined as
    future_dated that are no longer in the future. Re-checked rows are read again from
    staging by (source_file, source_row) and replace the stored ones (delete+insert).
    The result equals a --full-refresh build. -#}
{%- set incremental = is_incremental() and events_watermark_available() and not events_checked_settings_changed() %}
{%- set rows = 'batch' if incremental else ref('stg_crm__events') %}

{%- set id_map_cte %}
id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
)
{%- endset %}

{%- if incremental %}
{%- set new_files = events_new_files() %}
{%- set lookback_files = events_lookback_files() %}
{%- set lead_map = events_lead_map_relation() %}
{%- set new_files_filter = 'source_file in (' ~ (new_files | join(', ')) ~ ')' if new_files else '1 = 0' %}

{#- the lead id mapping, the stored rows and the rows of the new files ... -#}
{%- set base_ctes %}
{{ id_map_cte }},

new_rows as (
    select
        *,
        cast(null as {{ dbt.type_string() }}) as previous_lead_id
    from {{ ref('stg_crm__events') }}
    where {{ new_files_filter }}  -- noqa: LT02
    {% if lookback_files -%}
    union all
    -- rows appended to a loaded file since it was read (var events_lookback_days)
    select
        appended.*,
        cast(null as {{ dbt.type_string() }}) as previous_lead_id
    from {{ ref('stg_crm__events') }} as appended
    where
        appended.source_file in ({{ lookback_files | join(', ') }})
        and not exists (
            select 1
            from {{ this }} as stored
            where stored.source_file = appended.source_file and stored.source_row = appended.source_row
        )
{%- endif %}
)
{%- endset %}

{#- ... and the keys of the stored rows to check again with them (see above): each
    part of recheck_seeds selects the same keys of a stored row -#}
{%- set stored_keys %}
        stored.source_file,
        stored.source_row,
        stored.event_id,
        stored.lead_id as previous_lead_id
{%- endset %}
{%- set recheck_ctes %}
{%- if lead_map is not none %}
-- the exported lead ids whose mapping changed since the stored rows were checked: the
-- mapping of the last build (events_lead_map_relation, kept by the post-hook) against
-- today's; at 1M leads a join of two 1M-row mappings instead of 53M stored rows
-- against the mapping (0.2 + 0.3 s against 1.9 s)
changed_lead_ids as {{ materialized_cte() }} (
    select coalesce(mapped.source_lead_id, last_build.source_lead_id) as source_lead_id
    from id_map as mapped
    full outer join {{ lead_map }} as last_build on mapped.source_lead_id = last_build.source_lead_id
    where
        mapped.source_lead_id is null
        or last_build.source_lead_id is null
        or mapped.lead_id is distinct from last_build.lead_id
        or mapped.is_merged is distinct from last_build.is_merged
        or mapped.is_quarantined is distinct from last_build.is_quarantined
),

{%- endif %}
-- stored rows to check again: those whose lead mapping changed since they were checked
-- and those that were in the future. Read twice below, so computed once (materialized:
-- inlined, the join of the stored rows with the mapping ran twice). The stored rows are
-- read from the table itself, not a CTE: with a materialized CTE beside it, DuckDB
-- materialized that one too.
recheck_seeds as {{ materialized_cte() }} (
{%- if lead_map is not none %}
    -- a stored row's exported lead id is source_lead_id_if_different, or lead_id where
    -- that is null: two filters on plain columns, which the scan applies to each column
    select{{ stored_keys }}
    from {{ this }} as stored
    where
        stored.source_lead_id_if_different is null
        and stored.lead_id in (select changed_lead_ids.source_lead_id from changed_lead_ids)
    union all
    select{{ stored_keys }}
    from {{ this }} as stored
    where stored.source_lead_id_if_different in (select changed_lead_ids.source_lead_id from changed_lead_ids)
    {%- else %}
    -- without the last build's mapping: every stored row joined with the mapping
    -- (grouping them by lead first and joining back costs a third more at 53M rows)
    select{{ stored_keys }}
    from {{ this }} as stored
    left join id_map on coalesce(stored.source_lead_id_if_different, stored.lead_id) = id_map.source_lead_id
    where
        coalesce(stored.source_lead_id_if_different, stored.lead_id) is not null
        and (
            stored.lead_id is distinct from id_map.lead_id
            or stored.is_lead_unknown != (id_map.source_lead_id is null)
        )
    {%- endif %}
    union all
    select{{ stored_keys }}
    from {{ this }} as stored
    where
        quarantine_reason = 'future_dated'
        and {{ date_range_reason('occurred_at') }} is distinct from 'future_dated'
),

-- every stored row of an event id seen in this batch: the ranking is redone over all
affected_event_ids as (
    select event_id from new_rows
    where event_id is not null
    union
    select event_id from recheck_seeds
    where event_id is not null
),

recheck_keys as (
    select
        stored.source_file,
        stored.source_row,
        stored.lead_id as previous_lead_id
    from {{ this }} as stored
    -- a semi join (the ids are distinct): 1.25 s against 1.64 s for the inner join of
    -- 53M stored ids with a day's 117,644 new ones
    where stored.event_id in (select affected_event_ids.event_id from affected_event_ids)
    union
    select
        source_file,
        source_row,
        previous_lead_id
    from recheck_seeds
)
{%- endset %}

{#- The keys are fetched first and written into the query as constants, so the
    staging read of the re-checked rows reads those rows only (its parquet reader
    skips by file and row number) instead of parsing every event of history to join
    them; above events_recheck_inline_limit() keys the query joins them instead. -#}
{%- set recheck = events_recheck_keys(base_ctes, recheck_ctes) %}
{%- endif %}

with

{%- if incremental %}

{{ base_ctes }},
{%- if recheck is none %}

{{ recheck_ctes }},
{%- else %}

recheck_keys as (
    {{ events_recheck_values(recheck) }}
),
{%- endif %}

rechecked_rows as (
    select
        staged.*,
        recheck_keys.previous_lead_id
    from {{ ref('stg_crm__events') }} as staged
    inner join recheck_keys
        on
            staged.source_file = recheck_keys.source_file
            and staged.source_row = recheck_keys.source_row
    {%- if recheck is not none %}
    where {{ events_recheck_filter(recheck) }}
    {%- endif %}
),

batch as (
    select * from new_rows
    union all
    select * from rechecked_rows
),

{%- else %}

{{ id_map_cte }},
{%- endif %}

-- duplicate ids are rare: rank only their rows (a window over every event, with all
-- its columns, is the most memory-hungry step of the build at 50M events). The id
-- check and the ranking read staging again instead of the events CTE: a CTE read
-- three times is materialised with every column (25 s at 50M events).
duplicate_ids as (
    select event_id
    from {{ rows }}
    where event_id is not null
    group by event_id
    having count(*) > 1
),

singles as (
    select
        events.*,
        {%- if not incremental %}
        cast(null as {{ dbt.type_string() }}) as previous_lead_id,
        {%- endif %}
        1 as event_id_occurrence
    from {{ rows }} as events
    left join duplicate_ids on events.event_id = duplicate_ids.event_id
    where duplicate_ids.event_id is null
),

duplicates as (
    select
        repeated.*,
        {%- if not incremental %}
        cast(null as {{ dbt.type_string() }}) as previous_lead_id,
        {%- endif %}
        -- file and row last: the same order whichever batch a copy arrived in
        row_number() over (
            partition by repeated.event_id
            order by
                repeated.occurred_at nulls last, repeated.occurred_at_raw nulls last,
                repeated.source_lead_id nulls last, repeated.source_file nulls last, repeated.source_row nulls last
        ) as event_id_occurrence
    from {{ rows }} as repeated
    inner join duplicate_ids on repeated.event_id = duplicate_ids.event_id
),

numbered as (
    select * from singles
    union all
    select * from duplicates
),

checked as (
    select
        numbered.*,
        id_map.lead_id,
        id_map.is_merged as is_remapped,
        numbered.source_lead_id is not null and id_map.source_lead_id is null as is_lead_unknown,
        case
            when numbered.event_id is null then 'missing_event_id'
            when numbered.event_id_occurrence > 1 then 'duplicate_event_id'
            when numbered.source_lead_id is null then 'missing_lead_id'
            when numbered.occurred_at is null then 'unparseable_occurred_at'
            when id_map.source_lead_id is null then 'unknown_lead'
            when id_map.is_quarantined then 'lead_quarantined'
            when {{ date_range_reason('numbered.occurred_at') }} is not null
                then {{ date_range_reason('numbered.occurred_at') }}
            when
                numbered.event_type is null
                or numbered.event_type not in (
                    {%- for t in var('event_types') %}
                    '{{ t }}'{{ "," if not loop.last }}
                    {%- endfor %}
                ) then 'unknown_event_type'
            when
                numbered.duration_seconds < 0
                or numbered.duration_seconds > {{ var('max_event_duration_seconds', 86400) }}
                then 'invalid_duration'
        end as quarantine_reason
    from numbered
    left join id_map on numbered.source_lead_id = id_map.source_lead_id
),

final as (
    select
        checked.event_id,
        checked.lead_id,
        -- the exported lead id, only where it differs from lead_id (a merged duplicate
        -- record, or a quarantined row without a surviving lead)
        case
            when checked.lead_id is null or checked.lead_id != checked.source_lead_id
                then checked.source_lead_id
        end as source_lead_id_if_different,
        checked.occurred_at,
        checked.event_type,
        checked.page_path,
        coalesce(checked.is_remapped, false) as is_remapped,
        coalesce(checked.event_type_raw != checked.event_type, false) as is_event_type_respelled,
        checked.occurred_at is not null
        and not checked.is_occurred_at_canonical as is_occurred_at_reformatted,
        checked.is_duration_not_a_number,
        checked.quarantine_reason,
        -- raw values of quarantined rows, to see what was wrong
        case when checked.quarantine_reason is not null then checked.occurred_at_raw end as occurred_at_raw,
        case when checked.quarantine_reason is not null then checked.event_type_raw end as event_type_raw,
        case when checked.quarantine_reason is not null then checked.duration_seconds end as duration_seconds,
        -- bookkeeping of the incremental build (docs/incremental.md): the row's file and
        -- row number (the key), whether its lead id was unknown, the lead it had before
        -- this build re-checked it, when it was (re)checked and with which settings
        checked.source_file,
        checked.source_row,
        checked.is_lead_unknown,
        checked.previous_lead_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as checked_at,
        '{{ events_settings_key("int_events_checked") }}' as settings_key
    from checked
)

select * from final
