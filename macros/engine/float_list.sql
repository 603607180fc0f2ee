{#- Spark: arrays, element_at counts from 1 as DuckDB's lists do. -#}
{% macro spark__float_list(values) -%}
    cast(array({{ values | join(', ') }}) as array<double>)
{%- endmacro %}

{% macro spark__list_element(list, index) -%}
    element_at({{ list }}, {{ index }})
{%- endmacro %}
