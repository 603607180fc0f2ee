{#- One row per day from start_date to end_date (both 'YYYY-MM-DD', end excluded), as
    column date_day of type date. default__: ANSI (a digits series plus dateadd);
    spark__: sequence() exploded. -#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series', 'leadscore')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__day_series(start_date, end_date) -%}
    {%- set days = (modules.datetime.date.fromisoformat(end_date)
        - modules.datetime.date.fromisoformat(start_date)).days -%}
    {%- set digits = (days | string | length) -%}
    select
        cast({{ dbt.dateadd('day', 'series.n', "cast('" ~ start_date ~ "' as date)") }} as date)
            as date_day
    from ({{ integer_series(digits) }}) as series
    where series.n < {{ days }}
{%- endmacro %}

{% macro spark__day_series(start_date, end_date) -%}
    select explode(sequence(
        cast('{{ start_date }}' as date), date_sub(cast('{{ end_date }}' as date), 1), interval 1 day
    )) as date_day
{%- endmacro %}
