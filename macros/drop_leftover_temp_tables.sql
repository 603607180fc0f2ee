{#- dbt-duckdb builds the new rows of an incremental Python model into a scratch table
    (<model>__dbt_tmp...) in the build's database and does not drop it: one more table,
    holding a serialised model for the registry, after every build. Post-hook of
    incremental Python models: drops every such leftover of this model (this build's and
    those of builds that stopped half-way). -#}
{% macro drop_leftover_temp_tables() -%}
    {{ return(adapter.dispatch('drop_leftover_temp_tables', 'leadscore')()) }}
{%- endmacro %}


{% macro default__drop_leftover_temp_tables() -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select table_schema, table_name from information_schema.tables"
            ~ " where table_catalog = current_database() and table_type = 'BASE TABLE'"
            ~ " and starts_with(table_name, '" ~ this.identifier | replace("'", "''") ~ "__dbt_tmp')"
        ) -%}
        {%- for row in found.rows -%}
            {%- do run_query(
                "drop table if exists " ~ adapter.quote(row[0]) ~ "." ~ adapter.quote(row[1])
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- Spark has no information_schema: the model's schema is listed with SHOW TABLES
    (dbt-spark's Python incremental drops this build's scratch table itself; this
    drops those of builds that stopped half-way). -#}
{% macro spark__drop_leftover_temp_tables() -%}
    {%- if execute -%}
        {%- set prefix = this.identifier ~ '__dbt_tmp' -%}
        {%- set found = run_query("show tables in " ~ this.schema ~ " like '" ~ prefix ~ "*'") -%}
        {%- for row in found.rows -%}
            {%- if row[1].startswith(prefix) and not row[2] -%}
                {%- do run_query("drop table if exists " ~ this.schema ~ "." ~ row[1]) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
