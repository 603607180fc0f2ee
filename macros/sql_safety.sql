{#- Values that come from data (CSV headers, file paths) or from vars never reach SQL
    unescaped: identifiers are double-quoted with embedded double quotes doubled,
    string literals single-quoted with embedded single quotes doubled. -#}
{% macro quote_identifier(name) -%}
    {{ return('"' ~ (name | string | replace('"', '""')) ~ '"') }}
{%- endmacro %}


{% macro sql_string(value) -%}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{%- endmacro %}


{#- The var as a SQL string literal, for a path or name inside the SQL text. -#}
{% macro var_string(name) -%}
    {{ return(sql_string(var(name))) }}
{%- endmacro %}


{#- Pre-flight of the vars that are written into SQL (on-run-start of build/run, both
    modes): names used as identifiers or values (stages, page categories, event types,
    feature names) must be lower-case snake_case words, dates ISO dates, numbers
    numbers. A bad value stops the build with the var, its value and what is expected,
    before any SQL is generated from it. -#}
{% macro validate_vars() %}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set re = modules.re -%}
    {%- set problems = [] -%}
    {%- set name_pattern = '^[a-z][a-z0-9_]{0,62}$' -%}
    {%- set date_pattern = '^\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?)?$' -%}
    {%- set number_pattern = '^-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?$' -%}
    {%- for name in ['conversion_stage', 'sequence_first_page', 'sequence_second_page'] -%}
        {%- set value = var(name, none) -%}
        {%- if value is none or not re.match(name_pattern, value | string) -%}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ tojson(value) ~ ': expected a lower-case name (letters, digits, _), e.g. customer') -%}
        {%- endif -%}
    {%- endfor -%}
    {#- optional names: null switches the feature off -#}
    {%- for name in ['handoff_stage', 'deal_value_segment'] -%}
        {%- set value = var(name, none) -%}
        {%- if value is not none and not re.match(name_pattern, value | string) -%}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ tojson(value) ~ ': expected a lower-case name (letters, digits, _) or null') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in ['event_types', 'sales_touch_event_types', 'key_page_categories', 'rules_attribute_columns',
                     'drift_numeric_features', 'drift_categorical_features'] -%}
        {%- set values = var(name, []) -%}
        {%- if values is string or values is mapping or values is not iterable -%}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ tojson(values) ~ ': expected a list of lower-case names') -%}
        {%- else -%}
            {%- for value in values -%}
                {%- if not re.match(name_pattern, value | string) -%}
                    {%- do problems.append('var ' ~ name ~ ' holds ' ~ tojson(value) ~ ': expected lower-case names (letters, digits, _)') -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in ['score_as_of', 'reference_time', 'snapshot_origin_date'] -%}
        {%- set value = var(name, none) -%}
        {%- if value is not none and value != '' and not re.match(date_pattern, value | string) -%}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ tojson(value) ~ ': expected a date yyyy-mm-dd (optionally with hh:mm[:ss])') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in ['prediction_horizon_days', 'snapshot_interval_days', 'max_example_lead_age_days', 'holdout_snapshots',
                     'future_tolerance_hours', 'sequence_first_page_hours', 'sequence_second_page_days',
                     'engagement_half_life_days', 'icp_points_per_technology', 'max_training_examples',
                     'psi_alert_threshold', 'auc_alert_margin', 'tier_calibration_alert_gap', 'tier_calibration_min_leads',
                     'hot_capacity_per_week', 'max_employee_count', 'max_annual_revenue', 'max_event_duration_seconds',
                     'flat_max_columns', 'min_useful_auc', 'feedback_hot_rejection_threshold',
                     'feedback_alert_window_days', 'feedback_alert_min_verdicts', 'deal_value_min_deals',
                     'sales_queue_max_tier_rank', 'events_lookback_days', 'events_recheck_inline_rows'] -%}
        {%- set value = var(name, none) -%}
        {%- if value is not none and (value is sameas true or value is sameas false or not re.match(number_pattern, value | string)) -%}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ tojson(value) ~ ': expected a number') -%}
        {%- endif -%}
    {%- endfor -%}
    {#- switches: a string such as "false" would count as true in Jinja -#}
    {%- for name in ['incremental_events', 'scoring_only', 'full_history_tests'] -%}
        {%- set value = var(name, none) -%}
        {%- if value is not none and value is not sameas true and value is not sameas false -%}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ tojson(value) ~ ': expected true or false') -%}
        {%- endif -%}
    {%- endfor -%}
    {#- connector column and schema names (adapter modes) are written into SQL as they are -#}
    {%- set connector_names = [('hubspot_lead_source_property', var('hubspot_lead_source_property', none)),
                               ('hubspot_schema', var('hubspot_schema', none)),
                               ('hubspot_database', var('hubspot_database', none)),
                               ('salesforce_schema', var('salesforce_schema', none)),
                               ('salesforce_database', var('salesforce_database', none)),
                               ('crm_feedback_field', var('crm_feedback_field', none))] -%}
    {%- for name in ['hubspot_qualification_properties', 'salesforce_qualification_fields'] -%}
        {%- set mapping = var(name, {}) -%}
        {%- if mapping is mapping -%}
            {%- for key, column in mapping.items() -%}
                {%- do connector_names.append((name ~ '.' ~ key, column)) -%}
            {%- endfor -%}
        {%- else -%}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ tojson(mapping) ~ ': expected a mapping of answer -> column name') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, value in connector_names -%}
        {%- if value is not none and not re.match('^[A-Za-z_][A-Za-z0-9_$]{0,127}$', value | string) -%}
            {%- do problems.append('var ' ~ name ~ ' = ' ~ tojson(value) ~ ': expected a column / schema name (letters, digits, _)') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set formats = var('us_timestamp_formats', []) -%}
    {%- if formats is string or formats is mapping or formats is not iterable -%}
        {%- do problems.append('var us_timestamp_formats = ' ~ tojson(formats) ~ ': expected a list of strptime formats') -%}
    {%- else -%}
        {%- for value in formats -%}
            {%- if not re.match('^[%A-Za-z0-9 :/.,_T+-]+$', value | string) -%}
                {%- do problems.append('var us_timestamp_formats holds ' ~ tojson(value) ~ ': expected a strptime format such as %m/%d/%Y %H:%M') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set windows = var('engagement_windows_days', []) -%}
    {%- if windows is string or windows is mapping or windows is not iterable -%}
        {%- do problems.append('var engagement_windows_days = ' ~ tojson(windows) ~ ': expected a list of whole numbers of days') -%}
    {%- else -%}
        {%- for value in windows -%}
            {%- if not re.match('^\\d{1,5}$', value | string) -%}
                {%- do problems.append('var engagement_windows_days holds ' ~ tojson(value) ~ ': expected whole numbers of days') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "Invalid vars (" ~ problems | length ~ " problem(s)); nothing was run:\n  - " ~ problems | join("\n  - ")
        ) }}
    {%- endif -%}
{% endmacro %}
