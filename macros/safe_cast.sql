{#- dbt-duckdb renders dbt.safe_cast as a plain cast, which fails the whole model on
    one bad value ('many' employees). Overridden through `dispatch` in
    dbt_project.yml: on DuckDB a value that cannot be cast becomes null, and staging
    keeps the raw text so marts.data_quality can count it. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
