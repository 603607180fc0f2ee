{#- The keyword that makes a CTE computed once however often the query reads it
    (`name as materialized (...)`), where the engine has one; elsewhere nothing, and
    the engine decides. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'leadscore')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}
