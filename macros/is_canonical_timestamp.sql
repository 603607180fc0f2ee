{#- True when raw timestamp text has the canonical 'YYYY-MM-DD HH:MM:SS' shape (a LIKE
    pattern: several times cheaper than a regular expression at 50M rows). Only used
    together with a successful parse, so a non-date in that shape is already an
    unparseable row; anything else that parses counts as fixed in the data-quality mart. -#}
{% macro is_canonical_timestamp(raw) -%}
    coalesce({{ raw }} like '____-__-__ __:__:__', false)
{%- endmacro %}
