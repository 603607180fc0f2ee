{#- Spark: the default variant's hex text cast to bigint ('0x1a2b3c4') is null on
    Spark; conv() reads the 7 hex digits of the md5 as base 16. Same [0, 1) number as
    the default variant on other warehouses (md5 of the concatenated text). -#}
{% macro spark__unit_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for c in columns -%}{%- do parts.append("cast(" ~ c ~ " as string)") -%}{%- endfor -%}
    (mod(
        cast(conv(substr(md5({{ dbt.concat(parts) }}), 1, 7), 16, 10) as bigint), 1000003
    ) / cast(1000003 as double))
{%- endmacro %}
