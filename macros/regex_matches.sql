{#- Case-insensitive regular-expression match, dispatched per warehouse. -#}
{% macro regex_matches(column, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'leadscore')(column, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(column, pattern) -%}
    regexp_like({{ column }}, {{ pattern }}, 'i')
{%- endmacro %}

{% macro duckdb__regex_matches(column, pattern) -%}
    regexp_matches({{ column }}, {{ pattern }}, 'i')
{%- endmacro %}
