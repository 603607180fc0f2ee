{#- Spark: regexp_replace replaces every match (a 4th argument is a position, not a
    flag) and a string literal reads a backslash as an escape, so the pattern doubles
    them. The class is RE2's \s of the DuckDB variant (tab, newline, form feed,
    carriage return, space: Java's \s also takes vertical tab). -#}
{% macro spark__normalize_key(column) -%}
    nullif(trim(regexp_replace(lower(cast({{ column }} as string)), '[\\t\\n\\f\\r _.\\-]+', ' ')), '')
{%- endmacro %}
