{#- A stable pseudo-random number in [0, 1) from the given columns: the same row
    always gets the same number, so hash-based samples do not move between builds. -#}
{% macro unit_hash() -%}
    {{ return(adapter.dispatch('unit_hash', 'leadscore')(varargs)) }}
{%- endmacro %}

{% macro default__unit_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for c in columns -%}{%- do parts.append("cast(" ~ c ~ " as " ~ dbt.type_string() ~ ")") -%}{%- endfor -%}
    (mod(
        {{ dbt.safe_cast(
            "concat('0x', substr(" ~ dbt.hash(dbt.concat(parts)) ~ ", 1, 7))",
            dbt.type_bigint()
        ) }}, 1000003
    ) / 1000003.0)
{%- endmacro %}

{% macro duckdb__unit_hash(columns) -%}
    (hash({{ columns | join(', ') }}) % 1000003) / 1000003.0
{%- endmacro %}
