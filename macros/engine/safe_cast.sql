{#- Spark: dbt-spark renders dbt.safe_cast as a plain cast, which (ANSI mode, Spark's
    default) fails the whole model on one bad value ('many' employees, '06/01/2025'
    read as a timestamp). try_cast gives null, as duckdb__safe_cast does. -#}
{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
