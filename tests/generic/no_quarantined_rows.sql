{#- Warns (severity warn in YAML) with one row per rule of the latest build that
    quarantined rows, so `dbt build` reports what was quarantined without failing. -#}
{% test no_quarantined_rows(model, column_name) %}
    select
        source_table,
        rule,
        {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} > 0
        and built_at = (select max(built_at) from {{ model }})
{% endtest %}
