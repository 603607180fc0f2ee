{#- How the incremental event models (int_events_checked, int_lead_activity_daily) are
    materialized. Their incremental runs delete stored rows first (delete+insert, a
    pre-hook delete), which parquet tables on Spark cannot do: there they are rebuilt
    as tables on every run (the result equals a full refresh elsewhere). -#}
{% macro events_materialization() -%}
    {{ return(adapter.dispatch('events_materialization', 'leadscore')()) }}
{%- endmacro %}

{% macro default__events_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__events_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
