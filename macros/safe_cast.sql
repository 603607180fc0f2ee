{#- dbt-duckdb renders dbt.safe_cast as a plain cast, which fails the whole model on
    one bad value ('many' employees). Overridden through `dispatch` in
    dbt_project.yml: on DuckDB a value that cannot be cast becomes null, and staging
    keeps the raw text so marts.data_quality can count it. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#- A number from a column that may hold text ('ten', 'lots'), NaN or infinity: the
    value when it is a finite number, else null. (NaN sorts above every number and
    infinity is outside the range, so the between test keeps finite values only.) -#}
{% macro parse_number(column, type) -%}
    {%- set as_double = dbt.safe_cast(column, dbt.type_float()) -%}
    {{ dbt.safe_cast(
        'case when ' ~ as_double ~ ' between -1e300 and 1e300 then ' ~ as_double ~ ' end',
        type
    ) }}
{%- endmacro %}


{#- True when the column holds something (not null, not blank) that parse_number
    cannot read: marts.data_quality counts these. -#}
{% macro is_not_a_number(column) -%}
    (
        {{ column }} is not null
        and trim(cast({{ column }} as {{ dbt.type_string() }})) != ''
        and {{ parse_number(column, dbt.type_float()) }} is null
    )
{%- endmacro %}
