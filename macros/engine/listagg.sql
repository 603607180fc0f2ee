{#- Spark variant of dbt.listagg (found first through the `dispatch` search order in
    dbt_project.yml). dbt-spark's ignores the order by (the values come in whatever
    order the executors collect them) and gives '' instead of NULL over no rows. This
    one sorts by the order-by expression (one expression, optionally asc / desc) and
    gives NULL when there is nothing to list, as string_agg / listagg do elsewhere. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- set collected -%}collect_list({{ measure }}){%- endset -%}
    {%- if order_by_clause -%}
        {%- set parsed = modules.re.match('^\s*order\s+by\s+(.+?)(\s+(asc|desc))?\s*$', order_by_clause, modules.re.IGNORECASE) -%}
        {%- if not parsed or ',' in parsed.group(1) -%}
            {{ exceptions.raise_compiler_error("listagg on Spark: order by one expression (got '" ~ order_by_clause ~ "')") }}
        {%- endif -%}
        {%- set ascending = 'false' if (parsed.group(3) or '') | lower == 'desc' else 'true' -%}
        {%- set collected -%}
            transform(
                sort_array(collect_list(case when {{ measure }} is not null then named_struct('k', {{ parsed.group(1) }}, 'v', {{ measure }}) end), {{ ascending }}),
                item -> item.v
            )
        {%- endset -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected -%}slice({{ collected }}, 1, {{ limit_num }}){%- endset -%}
    {%- endif -%}
    case when count({{ measure }}) > 0 then array_join({{ collected }}, {{ delimiter_text }}) end
{%- endmacro %}
