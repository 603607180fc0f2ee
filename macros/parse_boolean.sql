{#- true/false from the many spellings of exports: true, t, yes, y, 1 (any case). -#}
{% macro parse_boolean(column) -%}
    coalesce(lower(trim(cast({{ column }} as {{ dbt.type_string() }}))) in ('true', 't', 'yes', 'y', '1'), false)
{%- endmacro %}


{#- A yes/no field that holds something else ('maybe'): parse_boolean reads it as
    false; this flags it so marts.data_quality counts it (empty = missing, not flagged). -#}
{% macro is_invalid_boolean(column, true_values=none, false_values=none) -%}
    {%- set true_values = true_values or ['true', 't', 'yes', 'y', '1'] -%}
    {%- set false_values = false_values or ['false', 'f', 'no', 'n', '0'] -%}
    coalesce(
        lower(trim(cast({{ column }} as {{ dbt.type_string() }}))) not in (
            {%- for v in true_values + false_values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor -%}
            , ''
        ),
        false
    )
{%- endmacro %}


{#- A deal's won flag: the boolean spellings plus the CRM picklist labels
    ('Won' / 'Closed Won', 'Lost' / 'Closed Lost'); anything else is null (unknown),
    and is_invalid_boolean(column, won_values(), lost_values()) flags it. -#}
{% macro won_values() -%}
    {{ return(['true', 't', 'yes', 'y', '1', 'won', 'closed won', 'closed_won']) }}
{%- endmacro %}

{% macro lost_values() -%}
    {{ return(['false', 'f', 'no', 'n', '0', 'lost', 'closed lost', 'closed_lost']) }}
{%- endmacro %}

{% macro parse_won(column) -%}
    case
        when lower(trim(cast({{ column }} as {{ dbt.type_string() }}))) in (
            {%- for v in won_values() %}'{{ v }}'{{ ", " if not loop.last }}{% endfor -%}
        ) then true
        when lower(trim(cast({{ column }} as {{ dbt.type_string() }}))) in (
            {%- for v in lost_values() %}'{{ v }}'{{ ", " if not loop.last }}{% endfor -%}
        ) then false
    end
{%- endmacro %}
