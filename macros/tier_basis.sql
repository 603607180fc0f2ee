{#- The score column and seed threshold column that var tier_basis selects:
    probability -> (score, min_score); percentile -> (percentile, min_percentile). -#}
{% macro tier_basis() -%}
    {%- set basis = var('tier_basis') -%}
    {%- if basis == 'percentile' -%}
        {{ return({'value': 'percentile', 'threshold': 'min_percentile'}) }}
    {%- elif basis == 'probability' -%}
        {{ return({'value': 'score', 'threshold': 'min_score'}) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var tier_basis must be 'probability' or 'percentile', got '" ~ basis ~ "'") }}
    {%- endif -%}
{%- endmacro %}
