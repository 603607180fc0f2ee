{#- True when raw timestamp text is already in the canonical 'YYYY-MM-DD HH:MM:SS'
    form; anything else that parses counts as fixed in the data-quality mart. -#}
{% macro is_canonical_timestamp(raw) -%}
    coalesce({{ regex_matches(raw, "'^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'") }}, false)
{%- endmacro %}
