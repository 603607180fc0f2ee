{#- Every column of the selected relation but `columns` (a list of names): the
    `select *` exclusion syntax differs per engine. -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'leadscore')(columns)) }}
{%- endmacro %}

{#- DuckDB, Snowflake -#}
{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{#- Spark, Databricks (and BigQuery) -#}
{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}
