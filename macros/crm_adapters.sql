{#- CRM source adapters (var `crm`: generic | hubspot | salesforce).

    Staging reads every raw-data contract table through raw_relation(table):
    - generic: the contract source `crm` (parquet files or your own tables), unchanged;
    - hubspot / salesforce: the adapter model stg_<crm>__<table> that maps the
      connector's standard tables (Fivetran schema) onto the contract columns, or an
      empty, correctly typed select for a contract table the adapter does not provide.
    The var is resolved at parse time (pass it with --vars), so the DAG holds only the
    models of the chosen mode. -#}

{% macro crm_mode() -%}
    {%- set crm = var('crm', 'generic') -%}
    {%- if crm not in ('generic', 'hubspot', 'salesforce') -%}
        {{ exceptions.raise_compiler_error("var crm must be one of generic, hubspot, salesforce (got '" ~ crm ~ "')") }}
    {%- endif -%}
    {{ return(crm) }}
{%- endmacro %}


{#- Contract tables each adapter maps; the others are empty in that mode. -#}
{% macro crm_adapter_tables() -%}
    {{ return({
        'hubspot': ['leads', 'accounts', 'events', 'lifecycle_stage_changes', 'opportunities'],
        'salesforce': ['leads', 'accounts', 'events', 'lifecycle_stage_changes', 'opportunities'],
    }) }}
{%- endmacro %}


{% macro raw_relation(table) -%}
    {%- set crm = crm_mode() -%}
    {%- if crm == 'generic' -%}
        {%- if table in optional_raw_tables() and not raw_files_present(table) -%}
            {#- an optional table without files: empty, as in the adapter modes -#}
            {%- do source('crm', table) -%}
            {{ return(empty_contract_table(table)) }}
        {%- endif -%}
        {{ return(source('crm', table)) }}
    {%- elif table in crm_adapter_tables()[crm] -%}
        {{ return(ref('stg_' ~ crm ~ '__' ~ table)) }}
    {%- else -%}
        {{ return(empty_contract_table(table)) }}
    {%- endif -%}
{%- endmacro %}


{#- A contract table with no rows: every contract column, typed as text (staging
    casts). Used for optional contract tables a connector has no equivalent of. -#}
{% macro empty_contract_table(table) -%}
    {%- set cols = [] -%}
    {%- for column in raw_contract()[table] -%}
        {%- do cols.append('cast(null as ' ~ crm_type('string') ~ ') as ' ~ column) -%}
    {%- endfor -%}
    {{ return('(select ' ~ cols | join(', ') ~ ' from ' ~ crm_one_row() ~ ' where 1 = 0) as empty_' ~ table) }}
{%- endmacro %}


{#- The connector tables an adapter needs and what is lost without each optional one.
    Required tables missing stop the build in the pre-flight (validate_raw_sources). -#}
{% macro connector_tables(crm) -%}
    {%- set tables = {
        'hubspot': {
            'contact': {'required': ['id', 'property_email', 'property_createdate'], 'feature': none},
            'company': {'feature': 'firmographics (industry, size, revenue, tech stack, ICP fit)'},
            'deal': {'feature': 'deals (opportunities; funnel and revenue reporting)'},
            'deal_contact': {'feature': 'deals (which contacts a deal belongs to)'},
            'deal_company': {'feature': 'the company of a deal'},
            'deal_stage': {'feature': 'deal close dates from the stage history (falls back to property_closedate)'},
            'deal_pipeline_stage': {'feature': 'won/lost status of deals'},
            'engagement': {'feature': 'sales activities (calls, meetings, e-mail replies): their type'},
            'engagement_call': {'feature': 'the time and status of calls'},
            'engagement_meeting': {'feature': 'the time and outcome of meetings'},
            'engagement_email': {'feature': 'the time and direction of sales e-mails (replies of the lead)'},
            'engagement_note': {'feature': 'the time of notes (not events; read so none is left unexplained)'},
            'engagement_task': {'feature': 'the time and status of tasks (not events; read so none is left unexplained)'},
            'engagement_contact': {'feature': 'sales activities (which contact an engagement belongs to)'},
            'email_event': {'feature': 'marketing e-mail events (opens, clicks, bounces, unsubscribes)'},
            'email_event_click': {'feature': 'the page a clicked e-mail link leads to'},
            'email_event_status_change': {'feature': 'telling unsubscribes from other status changes (every STATUSCHANGE counts as an unsubscribe)'},
            'contact_form_submission': {'feature': 'form submissions (form_submit, demo_request, content_download)'},
            'form': {'feature': 'form names (demo_request / content_download by the form name; without it, by the page title)'},
            'contact_property_history': {'feature': 'lifecycle stage history (falls back to the property_hs_lifecyclestage_*_date columns of contact)'},
        },
        'salesforce': {
            'lead': {'required': ['id', 'email', 'created_date'], 'feature': none},
            'contact': {'feature': 'activities logged on the contact a lead was converted to'},
            'account': {'feature': 'accounts of opportunities'},
            'opportunity': {'feature': 'opportunities, won deals (customer stage) and lost deals'},
            'opportunity_history': {'feature': 'the date an opportunity was won (falls back to close_date)'},
            'task': {'feature': 'sales activities logged as tasks (calls)'},
            'event': {'feature': 'calendar events (meetings, demos)'},
            'lead_history': {'feature': 'lead status history (mql, disqualified before conversion)'},
        },
    } -%}
    {{ return(tables[crm]) }}
{%- endmacro %}


{#- The relation of a connector table, or none when it does not exist in the warehouse. -#}
{% macro connector_relation(source_name, table) -%}
    {%- set src = source(source_name, table) -%}
    {%- if not execute -%}
        {{ return(src) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=src.database, schema=src.schema, identifier=src.identifier)) }}
{%- endmacro %}


{#- True when the connector table exists (always true at parse time). -#}
{% macro connector_has(source_name, table) -%}
    {{ return(connector_relation(source_name, table) is not none) }}
{%- endmacro %}


{#- {lower-case name: name as the warehouse spells it} of a connector table's columns
    (empty when the table is absent or at parse time). -#}
{% macro connector_columns(source_name, table) -%}
    {%- set relation = connector_relation(source_name, table) -%}
    {%- set present = {} -%}
    {%- if relation is not none and execute -%}
        {%- for col in adapter.get_columns_in_relation(relation) -%}
            {%- do present.update({col.name | lower: col.name}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(present) }}
{%- endmacro %}


{#- The first of `names` the connector table has (compared in lower case), else the
    first name (then read as a typed null). Custom fields: Fivetran writes Salesforce's
    Budget__c as budget_c; both spellings are accepted (budget__c <-> budget_c). -#}
{% macro connector_column_choice(source_name, table, names) -%}
    {%- set present = connector_columns(source_name, table) -%}
    {%- set candidates = [] -%}
    {%- for name in names -%}
        {%- do candidates.append(name | lower) -%}
        {%- if (name | lower).endswith('__c') -%}
            {%- do candidates.append((name | lower)[:-3] ~ '_c') -%}
        {%- elif (name | lower).endswith('_c') -%}
            {%- do candidates.append((name | lower)[:-2] ~ '__c') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in candidates -%}
        {%- if name in present -%}
            {{ return(name) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names[0] | lower) }}
{%- endmacro %}


{#- A column reference as the warehouse spells it: unquoted when it is a plain
    identifier (Snowflake folds it to its upper-case name), quoted otherwise. -#}
{% macro connector_identifier(name) -%}
    {%- if modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', name) -%}
        {{ return(name) }}
    {%- endif -%}
    {{ return(quote_identifier(name)) }}
{%- endmacro %}


{#- A one-row relation to select constants from (portable: no select without from). -#}
{% macro crm_one_row() -%}
    {{ return('(select 1 as one_row) as one_row') }}
{%- endmacro %}


{#- A subquery over a connector table selecting `columns` ({name: type}) with the
    rows a sync would show today:
    - `_fivetran_active = false` rows (older versions kept by Fivetran's history mode)
      are always left out;
    - soft-deleted rows (`is_deleted`, `_fivetran_deleted`) are left out, or, with
      keep_deleted, kept and flagged in `is_removed`.
    A column the table lacks is a typed null; a missing table is an empty select with
    the same columns, and a log line names the features that are disabled. Columns are
    read as the warehouse spells them (see connector_identifier) and named in lower
    case. `columns` may map an output name to (type, source column).
    Types: string, int, float, boolean, timestamp. -#}
{% macro connector_table(source_name, table, columns, keep_deleted=false) -%}
    {%- set types = {
        'string': crm_type('string'),
        'int': crm_type('int'),
        'float': crm_type('float'),
        'boolean': crm_type('boolean'),
        'timestamp': crm_type('timestamp'),
    } -%}
    {%- set relation = connector_relation(source_name, table) -%}
    {%- set present = connector_columns(source_name, table) -%}
    {%- set selected = [] -%}
    {%- for name, spec in columns.items() -%}
        {%- set type = spec if spec is string else spec[0] -%}
        {%- set column = (name if spec is string else spec[1]) | lower -%}
        {%- if relation is not none and (column in present or not execute) -%}
            {%- do selected.append('cast(' ~ connector_identifier(present.get(column, column)) ~ ' as ' ~ types[type] ~ ') as ' ~ name) -%}
        {%- else -%}
            {%- do selected.append('cast(null as ' ~ types[type] ~ ') as ' ~ name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set removed = [] -%}
    {%- for flag in ['is_deleted', '_fivetran_deleted'] -%}
        {%- if flag in present -%}
            {%- do removed.append('coalesce(cast(' ~ connector_identifier(present[flag]) ~ ' as ' ~ types['boolean'] ~ '), false)') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set is_removed = removed | join(' or ') if removed else 'false' -%}
    {%- if keep_deleted -%}
        {%- do selected.append(is_removed ~ ' as is_removed') -%}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- if '_fivetran_active' in present -%}
        {%- do conditions.append('coalesce(cast(' ~ connector_identifier(present['_fivetran_active']) ~ ' as ' ~ types['boolean'] ~ '), true)') -%}
    {%- endif -%}
    {%- if not keep_deleted and removed -%}
        {%- do conditions.append('not (' ~ is_removed ~ ')') -%}
    {%- endif -%}
    {%- if relation is none -%}
        {%- set feature = connector_tables(source_name)[table]['feature'] -%}
        {%- do log(source_name ~ '.' ~ table ~ ' is absent: '
            ~ ('disabled ' ~ feature if feature else 'no rows (required table)'), info=True) -%}
        {%- set body = 'select ' ~ selected | join(', ') ~ ' from ' ~ crm_one_row() ~ ' where 1 = 0' -%}
    {%- else -%}
        {%- set body = 'select ' ~ selected | join(', ') ~ ' from ' ~ relation
            ~ (' where ' ~ conditions | join(' and ') if conditions else '') -%}
    {%- endif -%}
    {{ return('(' ~ body ~ ')') }}
{%- endmacro %}


{#- Pre-flight for adapter modes: the required connector tables and columns exist;
    log which optional tables are absent and what that disables. -#}
{% macro validate_connector_sources(crm) %}
    {%- set problems = [] -%}
    {%- set absent = [] -%}
    {%- for table, spec in connector_tables(crm).items() -%}
        {%- set relation = connector_relation(crm, table) -%}
        {%- if relation is none -%}
            {%- if spec.get('required') -%}
                {%- set src = source(crm, table) -%}
                {%- do problems.append(crm ~ '.' ~ table ~ ': table not found at ' ~ src
                    ~ ' (required; set vars ' ~ crm ~ '_database / ' ~ crm ~ '_schema to where the connector writes)') -%}
            {%- else -%}
                {%- do absent.append(table) -%}
                {{ log(crm ~ '.' ~ table ~ ' is absent (optional): disabled ' ~ spec['feature'], info=True) }}
            {%- endif -%}
        {%- elif spec.get('required') -%}
            {%- set present = [] -%}
            {%- for col in adapter.get_columns_in_relation(relation) -%}
                {%- do present.append(col.name | lower) -%}
            {%- endfor -%}
            {%- for column in spec['required'] -%}
                {%- if column not in present -%}
                    {%- do problems.append(crm ~ '.' ~ table ~ '.' ~ column ~ ': column is missing (the ' ~ crm ~ ' adapter requires it)') -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The " ~ crm ~ " connector tables are not usable (" ~ problems | length ~ " problem(s)):\n  - "
            ~ problems | join("\n  - ")
        ) }}
    {%- endif -%}
    {{ log(crm ~ ' connector: required tables present; ' ~ (absent | length) ~ ' optional table(s) absent'
        ~ (': ' ~ absent | join(', ') if absent else ''), info=True) }}
{% endmacro %}


{#- The SQL dialect the adapters write: the target's, or var crm_sql_dialect (used by
    the tests to compile the adapters for Snowflake, BigQuery and Databricks). -#}
{% macro crm_sql_dialect() -%}
    {{ return(var('crm_sql_dialect', none) or target.type) }}
{%- endmacro %}


{#- regexp_replace of every match (DuckDB replaces the first one unless given 'g'). -#}
{% macro crm_regexp_replace_all(expr, pattern, replacement) -%}
    {%- if crm_sql_dialect() == 'duckdb' -%}
        regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
    {%- else -%}
        regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
    {%- endif -%}
{%- endmacro %}


{#- normalize_key in portable SQL (no backslash escapes, every match replaced). -#}
{% macro crm_value_key(column) -%}
    nullif(trim({{ crm_regexp_replace_all('lower(cast(' ~ column ~ ' as ' ~ crm_type('string') ~ '))', '[ _.-]+', ' ') }}), '')
{%- endmacro %}


{#- The path of a URL (https://x.com/pricing?a=1 -> /pricing), for page categories:
    scheme and host removed, then query and fragment; null unless it starts with /.
    Anchored patterns (one match) without backslashes or (?:) groups: portable. -#}
{% macro url_path(column) -%}
    {%- set path = "regexp_replace(regexp_replace(lower(" ~ column ~ "), '^[a-z]+://[^/]*', ''), '[?#].*$', '')" -%}
    case when {{ crm_position("'/'", path) }} = 1 then {{ path }} end
{%- endmacro %}


{#- The domain of a website (https://www.acme.com/about -> acme.com). -#}
{% macro website_domain(column) -%}
    nullif(regexp_replace(regexp_replace(regexp_replace(lower(trim({{ column }})),
        '^[a-z]+://', ''), '^www[.]', ''), '[/:?#].*$', ''), '')
{%- endmacro %}


{#- Cross-database pieces of the adapters. On the target's own dialect they are dbt's
    cross-database macros (adapter.dispatch); with var crm_sql_dialect set to another
    warehouse (the portability test), that warehouse's spelling. -#}
{% macro crm_type(name) -%}
    {%- set dialect = crm_sql_dialect() -%}
    {%- if dialect == target.type -%}
        {%- set own = {
            'string': dbt.type_string(), 'int': dbt.type_bigint(), 'float': dbt.type_float(),
            'boolean': dbt.type_boolean(), 'timestamp': dbt.type_timestamp(),
        } -%}
        {{ return(own[name]) }}
    {%- endif -%}
    {%- set spellings = {
        'snowflake': {'string': 'varchar', 'int': 'bigint', 'float': 'float', 'boolean': 'boolean', 'timestamp': 'timestamp_ntz'},
        'bigquery': {'string': 'string', 'int': 'int64', 'float': 'float64', 'boolean': 'bool', 'timestamp': 'timestamp'},
        'databricks': {'string': 'string', 'int': 'bigint', 'float': 'double', 'boolean': 'boolean', 'timestamp': 'timestamp'},
    } -%}
    {{ return(spellings[dialect][name]) }}
{%- endmacro %}


{% macro crm_split_part(string, delimiter, part) -%}
    {%- set dialect = crm_sql_dialect() -%}
    {#- dbt-spark's split_part needs a literal part number; Spark's own split_part does not -#}
    {%- if dialect == target.type and target.type != 'spark' -%}
        {{ dbt.split_part(string, delimiter, part) }}
    {%- elif dialect == 'bigquery' -%}
        split({{ string }}, {{ delimiter }})[safe_offset({{ part }} - 1)]
    {%- else -%}
        split_part({{ string }}, {{ delimiter }}, {{ part }})
    {%- endif -%}
{%- endmacro %}


{% macro crm_position(substring, string) -%}
    {%- set dialect = crm_sql_dialect() -%}
    {%- if dialect == target.type -%}
        {{ dbt.position(substring, string) }}
    {%- elif dialect == 'bigquery' -%}
        strpos({{ string }}, {{ substring }})
    {%- else -%}
        position({{ substring }} in {{ string }})
    {%- endif -%}
{%- endmacro %}


{#- Whole seconds from first to second. -#}
{% macro crm_seconds_between(first, second) -%}
    {%- set dialect = crm_sql_dialect() -%}
    {%- if dialect == target.type -%}
        {{ dbt.datediff(first, second, 'second') }}
    {%- elif dialect == 'bigquery' -%}
        timestamp_diff({{ second }}, {{ first }}, second)
    {%- else -%}
        datediff(second, {{ first }}, {{ second }})
    {%- endif -%}
{%- endmacro %}
