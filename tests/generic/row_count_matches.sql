{#- Fails when the model's row count differs from compare_model's. -#}
{% test row_count_matches(model, compare_model) %}
    with counts as (
        select
            (select count(*) from {{ model }}) as model_rows,
            (select count(*) from {{ compare_model }}) as compare_rows
    )

    select * from counts
    where model_rows != compare_rows
{% endtest %}
