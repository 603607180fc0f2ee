{#- The raw-data contract: the columns each source table must have (see DESIGN.md). -#}
{% macro raw_contract() -%}
    {{ return({
        'leads': ['lead_id', 'email', 'job_title', 'company_name', 'company_domain', 'account_id',
                  'lead_source', 'country', 'created_at', 'updated_at', 'owner_id', 'is_deleted',
                  'email_bounced', 'unsubscribed', 'budget_range', 'purchase_timeline', 'stated_need'],
        'accounts': ['account_id', 'company_name', 'domain', 'industry', 'employee_count',
                     'annual_revenue', 'country', 'tech_stack'],
        'events': ['event_id', 'lead_id', 'occurred_at', 'event_type', 'page_path', 'campaign_id',
                   'device_type', 'session_id', 'duration_seconds'],
        'lifecycle_stage_changes': ['lead_id', 'stage', 'changed_at'],
        'opportunities': ['opportunity_id', 'lead_id', 'account_id', 'created_at', 'closed_at',
                          'is_won', 'amount'],
        'sales_feedback': ['lead_id', 'rep_id', 'verdict', 'created_at'],
        'experiment_assignments': ['lead_id', 'experiment_id', 'variant', 'assigned_at'],
    }) }}
{%- endmacro %}


{#- Run before every build (on-run-start): stop early, with the table, the column and
    the problem, when a required raw table is missing (optional ones without files are
    logged and read as empty: raw_relation), lacks a contract column, holds a column
    of a type staging cannot read (binary / not UTF-8 text, nested), or when the leads
    table is empty. Row-level problems are not errors: staging fixes or quarantines
    them and marts.data_quality counts them. In the hubspot / salesforce modes (var crm)
    the connector's required tables are checked instead (validate_connector_sources). -#}
{% macro validate_raw_sources() %}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- if var('scoring_only', false) and 'model.leadscore.ml_model_registry' in selected_resources -%}
        {{ exceptions.raise_compiler_error(
            "scoring_only builds reuse the champion and must not rebuild the registry: run "
            ~ "`dbt build --selector scoring_only --vars '{scoring_only: true}'` (make score)"
        ) }}
    {%- endif -%}
    {%- if crm_mode() != 'generic' -%}
        {#- adapter modes read the connector's tables, not the contract files -#}
        {{ return(validate_connector_sources(crm_mode())) }}
    {%- endif -%}
    {%- do register_raw_sources() -%}
    {%- set problems = [] -%}
    {%- for table, required in raw_contract().items() -%}
        {%- if table in optional_raw_tables() and not raw_files_present(table) -%}
            {{ log('crm.' ~ table ~ ' is absent (optional): no files match ' ~ raw_files_pattern(table)
                ~ '; its marts are empty', info=True) }}
            {%- continue -%}
        {%- endif -%}
        {%- set relation = source('crm', table) | string -%}
        {%- if not raw_files_present(table) -%}
            {%- do problems.append('crm.' ~ table ~ ': no files match ' ~ raw_files_pattern(table)
                ~ " (set var raw_data_path, or repoint the source)") -%}
            {%- continue -%}
        {%- endif -%}
        {%- set described = run_query('describe select * from ' ~ relation) -%}
        {%- set types = {} -%}
        {%- for row in described.rows -%}
            {%- do types.update({row[0] | lower: row[1] | upper}) -%}
        {%- endfor -%}
        {%- for column in required -%}
            {%- if column not in types -%}
                {%- do problems.append('crm.' ~ table ~ '.' ~ column ~ ': column is missing (the raw-data contract requires it)') -%}
            {%- elif types[column] in ('BLOB', 'BYTEA', 'BINARY', 'VARBINARY') -%}
                {%- do problems.append('crm.' ~ table ~ '.' ~ column ~ ': binary column (' ~ types[column]
                    ~ '); text must be exported as UTF-8 strings') -%}
            {%- elif types[column].startswith(('STRUCT', 'MAP', 'UNION', 'ARRAY')) or types[column].endswith(']') -%}
                {%- do problems.append('crm.' ~ table ~ '.' ~ column ~ ': nested type ' ~ types[column]
                    ~ ' cannot be read as a single value') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not problems -%}
        {%- set leads = run_query('select count(*) from ' ~ (source('crm', 'leads') | string)).columns[0].values()[0] -%}
        {%- if leads == 0 -%}
            {%- do problems.append('crm.leads: the table is empty; there is nothing to score') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The raw data does not match the contract (" ~ problems | length ~ " problem(s)):\n  - "
            ~ problems | join("\n  - ")
        ) }}
    {%- endif -%}
    {{ log('raw data: every contract table and column is present', info=True) }}
{% endmacro %}


{#- Contract tables a build can do without (their marts are then empty). -#}
{% macro optional_raw_tables() -%}
    {{ return(['sales_feedback', 'experiment_assignments']) }}
{%- endmacro %}
