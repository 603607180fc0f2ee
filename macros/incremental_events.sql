{#- Incremental event cleaning (int_events_checked, int_lead_activity_daily);
    docs/incremental.md describes the design. -#}

{#- True when the events arrive as parquet files read with their file name and row
    number (the default source crm.events): the file name is the watermark. Otherwise
    (hubspot / salesforce connector tables, or the source repointed at a table) there is
    no watermark and the incremental models rebuild in full on every run. -#}
{% macro events_watermark_available() -%}
    {%- if not incremental_events_supported() -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(events_file_columns_available()) }}
{%- endmacro %}


{#- Whether the engine can run the incremental event cleaning (delete+insert on the
    stored tables). Spark's parquet tables cannot delete rows: the event models are
    tables rebuilt in full on every run there (the same rows; docs/spark-staging.md). -#}
{% macro incremental_events_supported() -%}
    {{ return(adapter.dispatch('incremental_events_supported', 'leadscore')()) }}
{%- endmacro %}

{% macro default__incremental_events_supported() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro spark__incremental_events_supported() -%}
    {{ return(false) }}
{%- endmacro %}



{#- The event files not yet loaded into int_events_checked, as a list of SQL string
    literals (file names without folder). Read at execution: a constant list lets the
    parquet reader skip the loaded files instead of reading them to filter. -#}
{% macro events_new_files() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set pattern = raw_files_literal('events') -%}
    {%- set rows = run_query(
        'select ' ~ raw_file_name('file') ~ ' as source_file from glob(' ~ pattern ~ ') '
        ~ 'where ' ~ raw_file_name('file') ~ ' not in (select distinct source_file from ' ~ this ~ ' where source_file is not null) '
        ~ 'order by 1'
    ) -%}
    {{ return(file_name_literals(rows)) }}
{%- endmacro %}


{#- Pre-hook of int_events_checked: without a watermark an incremental run rebuilds in
    full, so the stored rows go first; with one, the rows checked with other settings
    (events_settings_key: the run then checks every row again). -#}
{% macro events_checked_pre_hook() -%}
    {%- if is_incremental() -%}
        {%- if not events_watermark_available() -%}
            delete from {{ this }}
        {%- else -%}
            delete from {{ this }} where {{ events_settings_changed_condition(this, 'int_events_checked') }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- The lead id mapping int_events_checked's stored rows were checked against: a copy of
    int_lead_ids_mapped that the model's post-hook writes beside it
    (<model>__lead_map) in the same transaction as the rows. A run compares it with
    today's mapping to find the lead ids whose events need checking again, instead of
    joining every stored row with the mapping (docs/incremental.md). None when absent
    (a table written by an older version, or a source without a watermark): the run
    then joins, as before. -#}
{% macro events_lead_map_relation(stored_only=true) -%}
    {%- set identifier = this.identifier ~ '__lead_map' -%}
    {%- if stored_only -%}
        {%- if not execute -%}
            {{ return(none) }}
        {%- endif -%}
        {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=identifier)) }}
    {%- endif -%}
    {{ return(api.Relation.create(database=this.database, schema=this.schema, identifier=identifier, type='table')) }}
{%- endmacro %}


{#- Post-hook of int_events_checked: the mapping this run checked the rows against (see
    events_lead_map_relation). Without a watermark the table is rebuilt in full on every
    run and the copy is dropped: kept, it would describe an older build's rows. -#}
{% macro events_checked_post_hook() -%}
    {%- set lead_map = events_lead_map_relation(stored_only=false) -%}
    {%- if not incremental_events_supported() -%}
        {{ return('') }}
    {%- elif events_watermark_available() -%}
        create or replace table {{ lead_map }} as
        select source_lead_id, lead_id, is_merged, is_quarantined
        from {{ ref('int_lead_ids_mapped') }}
    {%- else -%}
        drop table if exists {{ lead_map }}
    {%- endif -%}
{%- endmacro %}


{#- The (lead, day) pairs whose activity a run recomputes: the days of the events
    (re)checked since the activity table was last built, under their current lead and
    under the lead they had before (a merge moves them; a duplicate found later or a
    lead quarantined later takes them out). -#}
{% macro activity_changed_pairs(activity) -%}
    select distinct
        touched.lead_id,
        cast(touched.occurred_at as date) as activity_date
    from ({{ events_touched_since(activity) }}) as touched
{%- endmacro %}


{#- (lead_id, occurred_at) of the events int_events_checked (re)checked after the
    watermark of `table` (its newest checked_through), once under the lead they have now
    and once under the lead they had before (previous_lead_id); rows without a lead or
    a time left out. -#}
{% macro events_touched_since(table) -%}
    {%- set after_watermark -%}
        checked_at > (select coalesce(max(watermark.checked_through), cast('1900-01-01' as timestamp)) from {{ table }} as watermark)
    {%- endset -%}
    select
        lead_id,
        occurred_at
    from {{ ref('int_events_checked') }}
    where {{ after_watermark }} and lead_id is not null and occurred_at is not null
    union all
    select
        previous_lead_id as lead_id,
        occurred_at
    from {{ ref('int_events_checked') }}
    where {{ after_watermark }} and previous_lead_id is not null and occurred_at is not null
{%- endmacro %}


{#- Pre-hook of int_lead_activity_daily: the recomputed pairs are deleted first (a pair
    left without clean events must go); without a watermark, every row. -#}
{% macro activity_pre_hook() -%}
    {%- if is_incremental() -%}
        {%- if events_watermark_available() -%}
            delete from {{ this }}
            where
                (lead_id, activity_date) in ({{ activity_changed_pairs(this) }})
                or {{ events_settings_changed_condition(this, 'int_lead_activity_daily') }}
        {%- else -%}
            delete from {{ this }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Loaded event files read again for rows appended to them since (var
    events_lookback_days > 0): those whose newest clean event is within that many days
    of the newest clean event of all. -#}
{% macro events_lookback_files() -%}
    {%- set days = var('events_lookback_days', 0) -%}
    {%- if not execute or not days or days | float <= 0 -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select source_file from ' ~ this ~ ' where quarantine_reason is null and source_file is not null '
        ~ 'group by source_file having max(occurred_at) >= ('
        ~ 'select ' ~ dbt.dateadd('day', -1 * (days | int), 'max(occurred_at)') ~ ' from ' ~ this
        ~ ' where quarantine_reason is null) order by 1'
    ) -%}
    {{ return(file_name_literals(rows)) }}
{%- endmacro %}


{#- The first column of a run_query result as SQL string literals (file names). -#}
{% macro file_name_literals(rows) -%}
    {%- set names = [] -%}
    {%- for row in rows -%}
        {%- do names.append(sql_string(row[0])) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#- The stored rows int_events_checked checks again (recheck_ctes ends with CTE
    recheck_keys: source_file, source_row, previous_lead_id), fetched before the model's
    query runs. Written into the query as constants (events_recheck_values and
    events_recheck_filter), they let the parquet reader read those rows only: joined
    instead, staging parses every event of history (7 of the model's 9.5 CPU seconds
    for a day of 11,533 new events over 5.3M). None (the model joins) above
    events_recheck_inline_limit() keys, or at parse time. -#}
{% macro events_recheck_keys(base_ctes, recheck_ctes) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set limit = events_recheck_inline_limit() -%}
    {%- set result = run_query(
        'with ' ~ base_ctes ~ ', ' ~ recheck_ctes
        ~ ' select source_file, source_row, previous_lead_id from recheck_keys'
        ~ ' order by source_file, source_row limit ' ~ (limit + 1)
    ) -%}
    {%- if result.rows | length > limit -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set keys = [] -%}
    {%- for row in result.rows -%}
        {%- do keys.append([row[0], row[1] | int, row[2]]) -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}


{#- How many re-checked rows are written into int_events_checked's query as constants
    (var events_recheck_inline_rows); more (a mass merge, a whole file re-sent) are
    joined instead. Both give the same rows (tests/python/test_incremental.py). -#}
{% macro events_recheck_inline_limit() -%}
    {{ return(var('events_recheck_inline_rows', 20000) | int) }}
{%- endmacro %}


{#- The keys from events_recheck_keys as the rows of CTE recheck_keys. -#}
{% macro events_recheck_values(keys) -%}
    select
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(source_row as bigint) as source_row,
        cast(previous_lead_id as {{ dbt.type_string() }}) as previous_lead_id
    {%- if keys %}
    from (
        values
        {%- for key in keys %}
        ({{ sql_string(key[0]) }}, {{ key[1] }}, {{ sql_string(key[2]) if key[2] is not none else 'null' }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as recheck_values (source_file, source_row, previous_lead_id)
    {%- else %}
    from (select null as source_file, null as source_row, null as previous_lead_id) as recheck_values
    where 1 = 0
    {%- endif %}
{%- endmacro %}


{#- The staging filter for the re-checked rows: their files and row numbers as constant
    lists, which the parquet reader uses to skip files and row groups. -#}
{% macro events_recheck_filter(keys) -%}
    {%- set files = [] -%}
    {%- set rows = [] -%}
    {%- for key in keys -%}
        {%- if sql_string(key[0]) not in files -%}
            {%- do files.append(sql_string(key[0])) -%}
        {%- endif -%}
        {%- do rows.append(key[1] | string) -%}
    {%- endfor -%}
    {%- if files -%}
        staged.source_file in ({{ files | join(', ') }}) and staged.source_row in ({{ rows | unique | join(', ') }})
    {%- else -%}
        1 = 0
    {%- endif -%}
{%- endmacro %}


{#- The settings the stored values of an incremental event table depend on, as one key
    stored on every row (column settings_key): a run deletes the stored rows computed
    with other settings and computes them again, so a changed var or page rule needs no
    --full-refresh. A table's key includes the key of the table it reads: a change
    upstream recomputes downstream too. (Settings that add or remove columns stop an
    incremental run instead: on_schema_change fail.) -#}
{% macro events_settings_key(table) -%}
    {%- if table == 'int_events_checked' -%}
        {%- set settings = [
            var('event_types'), var('max_event_duration_seconds', 86400),
            var('future_tolerance_hours'), var('min_valid_date') | string,
            var('time_zone_abbreviations', {}),
            us_timestamp_formats(),
        ] -%}
    {%- elif table == 'int_lead_activity_daily' -%}
        {%- set settings = [
            events_settings_key('int_events_checked'), var('key_page_categories'),
            var('sales_touch_event_types'), page_category_rules(),
        ] -%}
    {%- elif table == 'int_lead_engagement_windows' -%}
        {%- set settings = [
            events_settings_key('int_lead_activity_daily'),
            var('engagement_windows_days'), var('engagement_half_life_days'),
        ] -%}
    {%- elif table == 'int_lead_rules_scores' -%}
        {%- set settings = [
            events_settings_key('int_lead_activity_daily'),
            var('rules_attribute_columns'), scoring_rules_rows(),
        ] -%}
    {%- else -%}
        {%- do exceptions.raise_compiler_error('events_settings_key: no settings listed for ' ~ table) -%}
    {%- endif -%}
    {{ return(local_md5(tojson(settings))) }}
{%- endmacro %}


{#- The rules of seed page_categories (priority, pattern, category), read at execution:
    they classify the page views the activity table counts. None before the seed is
    loaded (`dbt compile` or sqlfluff on an empty database; a build loads it first), and
    in a unit test. -#}
{% macro page_category_rules() -%}
    {%- if not execute or model.resource_type == 'unit_test'
        or load_relation(ref('page_categories')) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = run_query(
        'select priority, path_pattern, page_category from ' ~ ref('page_categories')
        ~ ' order by priority, path_pattern, page_category'
    ) -%}
    {%- set rules = [] -%}
    {%- for row in found.rows -%}
        {%- do rules.append([row[0] | string, row[1], row[2]]) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}


{#- Every row of seed scoring_rules (all columns as text, by rule_id), read at
    execution: the points the rules score table stores depend on them. None before the
    seed is loaded, and in a unit test (the seed is a fixture CTE there). -#}
{% macro scoring_rules_rows() -%}
    {%- if not execute or model.resource_type == 'unit_test'
        or load_relation(ref('scoring_rules')) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = run_query('select * from ' ~ ref('scoring_rules') ~ ' order by rule_id') -%}
    {%- set rules = [] -%}
    {%- for row in found.rows -%}
        {%- set values = [] -%}
        {%- for value in row -%}
            {#- numbers as floats: an engine may return the double columns as Decimal #}
            {%- if value is none -%}
                {%- do values.append(none) -%}
            {%- elif value is number -%}
                {%- do values.append(value | float | string) -%}
            {%- else -%}
                {%- do values.append(value | string) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do rules.append(values) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}


{#- The condition a stored row of `relation` (aliased `alias`) was computed with other
    settings than events_settings_key(table); false while the stored table has no
    settings_key column (the schema check then stops the run: --full-refresh). -#}
{% macro events_settings_changed_condition(relation, table, alias=none) -%}
    {%- set column = (alias ~ '.' if alias else '') ~ 'settings_key' -%}
    {%- if not execute or 'settings_key' not in adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        false
    {%- else -%}
        {{ column }} is distinct from '{{ events_settings_key(table) }}'
    {%- endif -%}
{%- endmacro %}


{#- Whether int_events_checked's stored rows were checked with other settings (or the
    table has no settings_key column yet): the run then checks every row again. -#}
{% macro events_checked_settings_changed() -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set condition = events_settings_changed_condition(this, 'int_events_checked') | trim -%}
    {%- if condition == 'false' -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set found = run_query('select 1 from ' ~ this ~ ' where ' ~ condition ~ ' limit 1') -%}
    {{ return(found.rows | length > 0) }}
{%- endmacro %}


{#- The stored (lead, as_of) rows of an example table (int_lead_engagement_windows,
    int_lead_rules_scores: `table`) a run deletes before computing the missing ones:
    rows of leads with an event (re)checked since the table's watermark on a day before
    as_of (under the lead now and the lead before; the events' days, as in
    activity_changed_pairs) and rows computed with other settings. The rules scores
    also store the example's role and a key of its attribute values
    (rules_attributes_key): a row whose role changed (a holdout date that became a
    training date) or whose attributes changed (an account's firmographics updated)
    goes too. Rows the spine no longer lists (a past score date, a lead closed or
    merged away) go after the run (unlisted_examples_post_hook): yesterday's score date
    is the base today's examples are brought forward from. -#}
{% macro stale_examples(stored_table, table) -%}
    {%- set rules = table == 'int_lead_rules_scores' %}
    select
        stored.lead_id,
        stored.as_of
    from {{ stored_table }} as stored
    {%- if rules %}
    left join {{ ref('int_lead_snapshots_filtered') }} as spine
        on
            stored.lead_id = spine.lead_id
            and stored.as_of = spine.as_of
    left join {{ ref('int_lead_features_joined') }} as features
        on
            stored.lead_id = features.lead_id
            and stored.as_of = features.as_of
    {%- endif %}
    left join (
        select
            touched.lead_id,
            min(cast(touched.occurred_at as date)) as first_day
        from ({{ events_touched_since(stored_table) }}) as touched
        group by touched.lead_id
    ) as changed
        on stored.lead_id = changed.lead_id
    where
        {{ events_settings_changed_condition(stored_table, table, 'stored') }}
        or changed.first_day < stored.as_of
        {%- if rules %}
        or (spine.lead_id is not null and spine.snapshot_role != stored.snapshot_role)
        or (
            features.lead_id is not null
            and {{ rules_attributes_key('features') }} != stored.attributes_key
        )
        {%- endif %}
{%- endmacro %}


{#- A key of the attribute values the rules score (var rules_attribute_columns, as the
    rules compare them), of the feature row aliased `alias`: a hash of the values, each
    marked as missing or given. `normalized`: the row holds the values normalize_key
    gives already. -#}
{% macro rules_attributes_key(alias, normalized=false) -%}
    {%- set parts = ["'attributes'"] -%}
    {%- for column in var('rules_attribute_columns') -%}
        {%- set value = alias ~ '.' ~ column if normalized else normalize_key(alias ~ '.' ~ column) -%}
        {%- do parts.append("'|'") -%}
        {%- do parts.append("coalesce(" ~ dbt.concat(["'v'", value]) ~ ", 'n')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}


{#- Pre-hook of the example tables kept from run to run (int_lead_engagement_windows,
    int_lead_rules_scores: `table`): the stale rows go (stale_examples); without a
    watermark, every row. A table stored by an earlier version without the bookkeeping
    columns stale_examples reads is left alone: the run then stops at dbt's schema
    check (on_schema_change fail), which names the columns (the fix: --full-refresh). -#}
{% macro stale_examples_pre_hook(table) -%}
    {%- if is_incremental() -%}
        {%- set needed = ['checked_through', 'settings_key', 'base_as_of'] + (
            ['attributes_key', 'snapshot_role', 'behaviour_sums'] if table == 'int_lead_rules_scores'
            else ['decayed_activity_sum']) -%}
        {%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- set complete = needed | reject('in', stored) | list | length == 0 -%}
        {%- if not complete -%}
            {#- nothing to delete: the schema check stops the run #}
        {%- elif events_watermark_available() -%}
            delete from {{ this }}
            where (lead_id, as_of) in (
                {{ stale_examples(this, table) }}
            )
        {%- else -%}
            delete from {{ this }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- A stored example (alias `stored`) that the spine (alias `spine`, left joined on the
    key) no longer lists: a past score date, a lead closed or merged away, a training
    sample that moved. A scoring-only run's spine holds the score date only: it keeps
    the stored rows of snapshot dates (var snapshot_origin_date + n x
    snapshot_interval_days). -#}
{% macro unlisted_example_condition(spine, stored) -%}
    {%- set origin = "cast(" ~ var_string('snapshot_origin_date') ~ " as " ~ dbt.type_timestamp() ~ ")" -%}
    (
        {{ spine }}.lead_id is null
        {%- if var('scoring_only') %}
        and {{ dbt.datediff(origin, stored ~ '.as_of', 'day') }} % {{ var('snapshot_interval_days') }} != 0
        {%- endif %}
    )
{%- endmacro %}


{#- Post-hook of the example tables (int_lead_engagement_windows, int_lead_rules_scores):
    the stored examples the spine no longer lists go after the run, not before it with
    the stale ones (stale_examples), because the run brings the new score date's
    examples forward from them (a lead's example of yesterday's score date is its base
    today). -#}
{% macro unlisted_examples_post_hook() -%}
    {%- if is_incremental() and events_watermark_available() -%}
        delete from {{ this }}
        where (lead_id, as_of) in (
            select stored.lead_id, stored.as_of
            from {{ this }} as stored
            left join {{ ref('int_lead_snapshots_filtered') }} as spine
                on
                    stored.lead_id = spine.lead_id
                    and stored.as_of = spine.as_of
            where {{ unlisted_example_condition('spine', 'stored') }}
        )
    {%- endif -%}
{%- endmacro %}


{#- The base of each new example of CTE `spine` (lead_id, as_of) in an example table
    brought forward (int_lead_engagement_windows, int_lead_rules_scores): its lead's
    latest stored example at most `forward_days` earlier, as base_as_of (the keys only:
    the caller joins the stored row, cheaper than ranking whole rows). -#}
{% macro example_base_keys(spine, forward_days) -%}
    select
        {{ spine }}.lead_id,
        {{ spine }}.as_of,
        max(stored.as_of) as base_as_of
    from {{ spine }}
    inner join {{ this }} as stored
        on
            {{ spine }}.lead_id = stored.lead_id
            and stored.as_of < {{ spine }}.as_of
            and stored.as_of >= {{ dbt.dateadd('day', -forward_days, spine ~ '.as_of') }}
    group by {{ spine }}.lead_id, {{ spine }}.as_of
{%- endmacro %}
