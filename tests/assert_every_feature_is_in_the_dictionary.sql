{#- Every model feature (column of ml_training_examples except keys and label) must
    have a row in seed feature_dictionary: reasons are rendered from it. The columns
    come from the adapter (any engine; information_schema is not on Spark); a table
    without columns fails the test rather than passing it empty. -#}
-- depends_on: {{ ref('ml_training_examples') }}
{%- set keys = ['lead_id', 'as_of', 'snapshot_role', 'label'] -%}
{%- set features = [] -%}
{%- set columns = adapter.get_columns_in_relation(ref('ml_training_examples')) if execute else [] -%}
{%- for column in columns if column.name | lower not in keys -%}
{%- do features.append(column.name | lower) -%}
{%- endfor %}
with

feature_columns as (
    {%- for feature in features %}
    select '{{ feature }}' as feature{{ ' union all' if not loop.last }}
    {%- else %}
    select 'ml_training_examples: no feature columns found' as feature
    {%- endfor %}
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
