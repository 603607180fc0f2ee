{#- Whether the score snapshot (snapshots/lead_scores_snapshot.yml) is built on this
    target. A dbt snapshot updates its table with MERGE: DuckDB and the warehouses do;
    Spark does only on a table format with row-level updates (Delta, Iceberg, Hudi),
    which OSS Spark does not ship. On Spark the snapshot is off unless var
    spark_snapshots is true (set it when the tables are Delta / Iceberg / Hudi).
    dbt_project.yml repeats this condition for the snapshot's +enabled (macros cannot
    be called there): keep the two in step. -#}
{% macro snapshot_enabled() -%}
    {{ return(adapter.dispatch('snapshot_enabled', 'leadscore')()) }}
{%- endmacro %}

{% macro default__snapshot_enabled() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro spark__snapshot_enabled() -%}
    {{ return(var('spark_snapshots', false) | as_bool) }}
{%- endmacro %}
