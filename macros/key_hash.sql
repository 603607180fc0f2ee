{#- A 64-bit hash of a key, to group or join many keys on a number instead of their
    text (int_events_checked finds the repeated event ids among 50M this way). Equal
    keys get equal hashes; different keys may too (rarely), so callers use it only to
    narrow down and compare the keys themselves afterwards. -#}
{% macro key_hash(expression) -%}
    {{ return(adapter.dispatch('key_hash', 'leadscore')(expression)) }}
{%- endmacro %}

{% macro default__key_hash(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}

{% macro duckdb__key_hash(expression) -%}
    hash({{ expression }})
{%- endmacro %}
