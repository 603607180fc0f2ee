{#- dbt_utils.accepted_range: fails on rows whose value lies outside [min_value,
    max_value] (either bound optional; `inclusive=false` excludes the bounds; nulls
    pass). Same name and arguments as dbt_utils' test. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    select {{ column_name }}
    from {{ model }}
    where
        false
        {%- if min_value is not none %}
            or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
            or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
        {%- endif %}
{% endtest %}
