{#- Every model feature (column of ml_training_examples except keys and label) must
    have a row in seed feature_dictionary: reasons are rendered from it. -#}
with

feature_columns as (
    select lower(column_name) as feature
    from information_schema.columns
    where
        lower(table_schema) = '{{ ref("ml_training_examples").schema | lower }}'
        and lower(table_name) = 'ml_training_examples'
        and lower(column_name) not in ('lead_id', 'as_of', 'snapshot_role', 'label')
),

dictionary as (
    select lower(feature) as feature from {{ ref('feature_dictionary') }}
),

final as (
    select feature_columns.feature
    from feature_columns
    left join dictionary on feature_columns.feature = dictionary.feature
    where dictionary.feature is null
)

select * from final
