{#- "Now" for data-quality rules: var('reference_time') when set, else the build start. -#}
{% macro reference_time() -%}
    {%- if var('reference_time', none) -%}
        cast({{ var_string("reference_time") }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}
