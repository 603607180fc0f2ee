{#- "Now" for data-quality rules: var('reference_time') when set, else the build start.
    Never derived from the data, so no row (however dated) can move it. -#}
{% macro reference_time() -%}
    {%- if var('reference_time', none) -%}
        cast({{ var_string("reference_time") }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}


{#- The reason a parsed timestamp is out of the valid range, else null:
    'future_dated' (later than reference_time() + var future_tolerance_hours) or
    'too_old' (before var min_valid_date). Every raw table's rule uses it, so a
    quarantined row never reaches the models that derive the score date. -#}
{% macro date_range_reason(column) -%}
    {%- set floor = var('min_valid_date') | string -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', floor) -%}
        {{ exceptions.raise_compiler_error("var min_valid_date must be a date YYYY-MM-DD (got '" ~ floor ~ "')") }}
    {%- endif -%}
    case
        when {{ column }} > {{ dbt.dateadd('hour', var('future_tolerance_hours'), reference_time()) }}
            then 'future_dated'
        when {{ column }} < cast('{{ floor }}' as {{ dbt.type_timestamp() }})
            then 'too_old'
    end
{%- endmacro %}
