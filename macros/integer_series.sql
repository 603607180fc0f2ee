{#- Integers 0 .. 10^digits - 1 as column `n`, portable (no generate_series). -#}
{% macro integer_series(digits) -%}
    select
        {% for d in range(digits) -%}
            d{{ d }}.n * {{ 10 ** d }}{{ " +" if not loop.last }}
        {% endfor -%} as n
    from
        {% for d in range(digits) -%}
            (
                select 0 as n union all select 1 union all select 2 union all select 3
                union all select 4 union all select 5 union all select 6
                union all select 7 union all select 8 union all select 9
            ) as d{{ d }}{{ "," if not loop.last }}
        {% endfor %}
{%- endmacro %}
