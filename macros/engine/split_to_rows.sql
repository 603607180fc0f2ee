{#- One row per item of a delimited text: the items of `column` split at every match of
    the regular expression `pattern` (a SQL string literal), as a set-returning select
    expression. NULL text gives no row. -#}
{% macro split_to_rows(column, pattern) -%}
    {{ return(adapter.dispatch('split_to_rows', 'leadscore')(column, pattern)) }}
{%- endmacro %}

{#- Postgres / DuckDB: regexp_split_to_array + unnest -#}
{% macro default__split_to_rows(column, pattern) -%}
    unnest(regexp_split_to_array({{ column }}, {{ pattern }}))
{%- endmacro %}

{#- Spark: split takes a regular expression; explode makes the rows -#}
{% macro spark__split_to_rows(column, pattern) -%}
    explode(split({{ column }}, {{ pattern }}))
{%- endmacro %}
