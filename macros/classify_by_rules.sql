{#- Select (value_column, result_column) for every value of `values` (a CTE or
    relation) that matches a rule of `rules`: the rule with the lowest `priority`
    whose regex `pattern_column` matches (case-insensitive) wins. -#}
{% macro classify_by_rules(values, value_column, rules, pattern_column, result_column) -%}
    select
        {{ values }}.{{ value_column }},
        rules.{{ result_column }}
    from {{ values }}
    inner join {{ rules }} as rules
        on {{ regex_matches(values ~ '.' ~ value_column, 'rules.' ~ pattern_column) }}
    qualify row_number() over (
        partition by {{ values }}.{{ value_column }} order by rules.priority
    ) = 1
{%- endmacro %}
