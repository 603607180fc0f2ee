{#- Spark: regexp_like takes no flags argument; case-insensitive through Java's inline
    (?i) flag put before the pattern (a column or a literal). -#}
{% macro spark__regex_matches(column, pattern) -%}
    regexp_like({{ column }}, concat('(?i)', {{ pattern }}))
{%- endmacro %}
