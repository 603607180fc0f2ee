{#- Day of week (0 = Monday .. 6 = Sunday) and hour of day (0-23), per warehouse. -#}
{% macro day_of_week(column) -%}
    {{ return(adapter.dispatch('day_of_week', 'leadscore')(column)) }}
{%- endmacro %}

{% macro default__day_of_week(column) -%}
    cast(mod(cast(extract(dow from {{ column }}) as integer) + 6, 7) as integer)
{%- endmacro %}

{% macro hour_of_day(column) -%}
    cast(extract(hour from {{ column }}) as integer)
{%- endmacro %}
