{#- Spark: extract(dow) counts 1 = Sunday .. 7 = Saturday; weekday() is 0 = Monday ..
    6 = Sunday, the project's numbering. -#}
{% macro spark__day_of_week(column) -%}
    cast(weekday({{ column }}) as integer)
{%- endmacro %}
