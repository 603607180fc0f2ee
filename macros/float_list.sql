{#- A list of doubles from SQL expressions `values` (an empty list when there are none),
    and its element `index` (1 = the first): bookkeeping a row carries to the next run
    (int_lead_rules_scores' behaviour_sums). default__: DuckDB's lists; spark__ in
    macros/engine/float_list.sql. -#}
{% macro float_list(values) -%}
    {{ return(adapter.dispatch('float_list', 'leadscore')(values)) }}
{%- endmacro %}

{% macro default__float_list(values) -%}
    cast([{{ values | join(', ') }}] as double[])
{%- endmacro %}

{% macro list_element(list, index) -%}
    {{ return(adapter.dispatch('list_element', 'leadscore')(list, index)) }}
{%- endmacro %}

{% macro default__list_element(list, index) -%}
    {{ list }}[{{ index }}]
{%- endmacro %}
