{#- Layers land in schemas named after them (staging, intermediate, ml, marts, config),
    not in <target>_<layer>: BI tools and reverse-ETL syncs read `marts.<model>`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
