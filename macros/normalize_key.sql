{#- A matching key for free text: lower case, trimmed, runs of spaces, underscores,
    dashes and dots collapsed to one space. 'Google_Ads ', 'google-ads' and
    'Google Ads' all give 'google ads'. Used on both sides of every seed mapping. -#}
{% macro normalize_key(column) -%}
    nullif(trim(regexp_replace(lower(cast({{ column }} as varchar)), '[\s_.\-]+', ' ', 'g')), '')
{%- endmacro %}
