{#- Spark: xxhash64 (a bigint); Spark's hash() has 32 bits only, so at 50M keys
    about a million rows would share a hash with another key. -#}
{% macro spark__key_hash(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}
