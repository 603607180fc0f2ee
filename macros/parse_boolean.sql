{#- true/false from the many spellings of exports: true, t, yes, y, 1 (any case). -#}
{% macro parse_boolean(column) -%}
    coalesce(lower(trim(cast({{ column }} as varchar))) in ('true', 't', 'yes', 'y', '1'), false)
{%- endmacro %}
