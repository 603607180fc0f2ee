{#- dbt_utils.equal_rowcount: fails when the model's row count differs from
    compare_model's. Same name and arguments as dbt_utils' test (without its
    group_by_columns). -#}
{% test equal_rowcount(model, compare_model) %}
    with counts as (
        select
            (select count(*) from {{ model }}) as model_rows,
            (select count(*) from {{ compare_model }}) as compare_rows
    )

    select * from counts
    where model_rows != compare_rows
{% endtest %}
