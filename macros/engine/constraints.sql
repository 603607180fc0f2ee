{#- Contract constraints on Spark. dbt-spark declares not_null constraints with
    ALTER TABLE ... SET NOT NULL, which only Delta tables take, and does nothing at all
    for any other file_format: a parquet table (this project's Spark tables) would
    accept NULLs in a contracted not-null column without a word. Here Delta tables keep
    dbt-spark's DDL; on any other format each not_null column constraint is checked
    after the table is built (one query), and a NULL fails the model with the table,
    column and count (the table stays as built: no transactions on parquet). Check,
    primary-key and other constraints stay declared only, as dbt-spark treats them. -#}
{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced and config.get('file_format', 'delta') == 'delta' -%}
        {%- do alter_table_add_constraints(relation, model.constraints) -%}
        {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- elif contract_config.enforced -%}
        {%- do leadscore.check_not_null_constraints(relation, model.columns) -%}
    {%- endif -%}
{% endmacro %}

{% macro check_not_null_constraints(relation, columns) %}
    {%- set checked = [] -%}
    {%- for name, column in columns.items() -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- if constraint.type == 'not_null' and name not in checked -%}
                {%- do checked.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if checked and execute -%}
        {%- set sql -%}
            select
            {%- for name in checked %}
                sum(case when {{ adapter.quote(name) }} is null then 1 else 0 end)
                    as {{ adapter.quote('nulls_' ~ loop.index) }}{{ ',' if not loop.last }}
            {%- endfor %}
            from {{ relation }}
        {%- endset -%}
        {%- set row = run_query(sql).rows[0] -%}
        {%- set problems = [] -%}
        {%- for name in checked -%}
            {%- if (row[loop.index0] or 0) > 0 -%}
                {%- do problems.append(name ~ ': ' ~ row[loop.index0] ~ ' NULL row(s)') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                "Contract not-null constraint violated in " ~ relation ~ " ("
                ~ config.get('file_format') ~ " tables cannot enforce it; checked after the build): "
                ~ problems | join('; ')
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
