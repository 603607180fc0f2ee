{#- A matching key for free text: lower case, trimmed, runs of spaces, underscores,
    dashes and dots collapsed to one space. 'Google_Ads ', 'google-ads' and
    'Google Ads' all give 'google ads'. Used on both sides of every seed mapping.
    Per warehouse (adapter.dispatch): regexp_replace flags and backslashes in string
    literals differ; the Spark variant is in macros/engine/normalize_key.sql. -#}
{% macro normalize_key(column) -%}
    {{ return(adapter.dispatch('normalize_key', 'leadscore')(column)) }}
{%- endmacro %}

{#- Warehouses whose regexp_replace replaces every match and whose string literals
    keep backslashes (Snowflake, BigQuery, Databricks with escapes off). -#}
{% macro default__normalize_key(column) -%}
    nullif(trim(regexp_replace(lower(cast({{ column }} as {{ dbt.type_string() }})), '[\\t\\n\\f\\r _.-]+', ' ')), '')
{%- endmacro %}

{% macro duckdb__normalize_key(column) -%}
    nullif(trim(regexp_replace(lower(cast({{ column }} as varchar)), '[\s_.\-]+', ' ', 'g')), '')
{%- endmacro %}
