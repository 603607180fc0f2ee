{#- Spark variants of dbt's cross-database date macros, found first through the
    `dispatch` search order in dbt_project.yml (leadscore before dbt). dbt-spark's own
    ones give other answers than DuckDB's: its dateadd goes through unix seconds (the
    fraction of a second is lost), its datediff for hours counts elapsed hours rounded
    up (10:01 -> 10:59 is 1 hour; DuckDB counts the hour boundaries crossed: 0).
    These count boundaries crossed, as DuckDB, Snowflake and Postgres' date_part do,
    and keep timestamps as timestamps (NULL in, NULL out). Timestamps are wall-clock
    times in the session time zone (the spark target sets UTC). -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- if datepart not in ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'] -%}
        {{ exceptions.raise_compiler_error("dateadd on Spark: datepart '" ~ datepart ~ "' is not supported") }}
    {%- endif -%}
    timestampadd({{ datepart | upper }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set days -%}
        datediff(to_date({{ second_date }}), to_date({{ first_date }}))
    {%- endset -%}
    {%- set hours -%}
        ({{ days }} * 24 + hour({{ second_date }}) - hour({{ first_date }}))
    {%- endset -%}
    {%- set minutes -%}
        ({{ hours }} * 60 + minute({{ second_date }}) - minute({{ first_date }}))
    {%- endset -%}
    {%- if datepart == 'day' -%}
        {{ days }}
    {%- elif datepart == 'hour' -%}
        {{ hours }}
    {%- elif datepart == 'minute' -%}
        {{ minutes }}
    {%- elif datepart == 'second' -%}
        ({{ minutes }} * 60 + floor(second({{ second_date }})) - floor(second({{ first_date }})))
    {%- elif datepart == 'month' -%}
        ((year({{ second_date }}) - year({{ first_date }})) * 12 + month({{ second_date }}) - month({{ first_date }}))
    {%- elif datepart == 'year' -%}
        (year({{ second_date }}) - year({{ first_date }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("datediff on Spark: datepart '" ~ datepart ~ "' is not supported") }}
    {%- endif -%}
{%- endmacro %}
