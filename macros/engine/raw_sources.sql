{#- The generic CRM source (models/staging/crm/_crm__sources.yml) on engines without
    dbt-duckdb's external_location: the same source names resolve to the same data.

    On Spark, validate_raw_sources (on-run-start of build / run) registers every
    contract table whose external_location is the default read_parquet(...) as a view
    at the source's name (schema crm): the parquet files of the same pattern, columns
    merged by name across files (union_by_name), and for events the file name and the
    0-based row number in the file (filename, file_row_number: Spark's _metadata
    columns file_path and row_index). A source repointed at your own table (no
    read_parquet external_location) is read as it is. -#}


{#- The external_location of a crm source table with {name} filled in, or none. -#}
{% macro raw_external_location(table) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = graph.sources.get('source.leadscore.crm.' ~ table) -%}
    {%- set location = (node.meta or {}).get('external_location') or (node.source_meta or {}).get('external_location') if node else none -%}
    {%- if not location -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(location.format(name=node.identifier)) }}
{%- endmacro %}


{#- The file pattern of a contract table read from files, as a SQL string literal
    (none for a table source). -#}
{% macro raw_files_literal(table) -%}
    {{ return(adapter.dispatch('raw_files_literal', 'leadscore')(table)) }}
{%- endmacro %}

{% macro default__raw_files_literal(table) -%}
    {%- set files = modules.re.search("read_parquet\\(('(?:[^']|'')*')", source('crm', table) | string) -%}
    {{ return(files.group(1) if files else none) }}
{%- endmacro %}

{% macro spark__raw_files_literal(table) -%}
    {%- set files = modules.re.search("read_parquet\\(('(?:[^']|'')*')", raw_external_location(table) or '') -%}
    {{ return(files.group(1) if files else none) }}
{%- endmacro %}


{#- Whether files match the table's pattern (always true for a table source). -#}
{% macro raw_files_present(table) -%}
    {%- set literal = raw_files_literal(table) -%}
    {%- if not execute or not literal -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(raw_files_count(literal) > 0) }}
{%- endmacro %}

{#- How many files match the pattern (a SQL string literal). -#}
{% macro raw_files_count(literal) -%}
    {{ return(adapter.dispatch('raw_files_count', 'leadscore')(literal)) }}
{%- endmacro %}

{% macro default__raw_files_count(literal) -%}
    {{ return(run_query('select count(*) from glob(' ~ literal ~ ')').columns[0].values()[0]) }}
{%- endmacro %}

{#- Spark has no glob table function: the files under var raw_data_path are listed
    once per run (file names only, contents are not read) and matched against the
    pattern. -#}
{% macro spark__raw_files_count(literal) -%}
    {%- set pattern = literal[1:-1] | replace("''", "'") -%}
    {%- set root = var('raw_data_path') | string -%}
    {%- do run_query("create or replace temporary view leadscore_raw_file_list using binaryFile options (path "
        ~ sql_string(root) ~ ", recursiveFileLookup 'true', pathGlobFilter '*.parquet')") -%}
    {%- set stripped = modules.re.sub('^(\\./)+', '', pattern) -%}
    {%- set regex = '(^|/)' ~ modules.re.escape(stripped) | replace('\\*', '[^/]*') | replace('\\?', '[^/]') ~ '$' -%}
    {%- set paths = run_query('select path from leadscore_raw_file_list').columns[0].values() -%}
    {%- set matched = [] -%}
    {%- for path in paths -%}
        {%- set local = modules.re.sub('^file:(//)?', '', path) -%}
        {%- if modules.re.search(regex, local) or modules.re.search(regex, path) -%}
            {%- do matched.append(path) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(matched | length) }}
{%- endmacro %}


{#- Register the raw sources where the engine needs it (Spark); no-op elsewhere. -#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources', 'leadscore')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set created = [] -%}
    {%- for table in raw_contract() -%}
        {%- set literal = raw_files_literal(table) -%}
        {%- if literal and raw_files_present(table) -%}
            {%- set relation = source('crm', table) -%}
            {%- set location = raw_external_location(table) -%}
            {%- set path = literal[1:-1] | replace("''", "'") -%}
            {%- set extra = ', _metadata.file_path as filename' if 'filename = true' in location else '' -%}
            {%- set extra = extra ~ (', _metadata.row_index as file_row_number' if 'file_row_number = true' in location else '') -%}
            {%- do run_query('create schema if not exists ' ~ relation.schema) -%}
            {#- union_by_name: the view keeps the session setting it was created with -#}
            {%- do run_query('set spark.sql.parquet.mergeSchema = true') -%}
            {%- do run_query('create or replace view ' ~ relation ~ ' as select *' ~ extra
                ~ ' from parquet.`' ~ path | replace('`', '``') ~ '`') -%}
            {%- do run_query('reset spark.sql.parquet.mergeSchema') -%}
            {%- do created.append(table) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log('raw data: ' ~ created | length ~ ' parquet source(s) registered as views (' ~ created | join(', ') ~ ')', info=True) }}
{%- endmacro %}


{#- The file name (without folder) of a raw row's file column (events' filename). -#}
{% macro raw_file_name(column) -%}
    {{ return(adapter.dispatch('raw_file_name', 'leadscore')(column)) }}
{%- endmacro %}

{% macro default__raw_file_name(column) -%}
    regexp_replace({{ column }}, '^.*/', '')
{%- endmacro %}

{% macro duckdb__raw_file_name(column) -%}
    parse_filename({{ column }})
{%- endmacro %}


{#- Whether the events source carries each row's file name and row number (read with
    filename / file_row_number) and var incremental_events is on: staging keeps them
    as source_file / source_row (the watermark of the incremental cleaning). -#}
{% macro events_file_columns_available() -%}
    {%- if crm_mode() != 'generic' or not var('incremental_events', true) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set relation = source('crm', 'events') | string -%}
    {%- set location = relation if 'read_parquet(' in relation else (graph.sources.get('source.leadscore.crm.events', {}).get('meta', {}).get('external_location', '') if execute else '') -%}
    {{ return('read_parquet(' in location and 'filename = true' in location and 'file_row_number = true' in location) }}
{%- endmacro %}


{#- The file pattern of a contract table read from files, as text (none for a table). -#}
{% macro raw_files_pattern(table) -%}
    {%- set literal = raw_files_literal(table) -%}
    {{ return(literal[1:-1] | replace("''", "'") if literal else none) }}
{%- endmacro %}
