{#- The flat lead export as exported: every column as text (var flat_file: read_csv
    with all_varchar; var flat_table: the table as it is). Types are inferred by
    flat_examples after placeholder values are read as missing. -#}
{{ config(materialized='view', schema='staging') }}

with

export as (
    select * from {{ flat_source_relation() }}
),

final as (
    select * from export
)

select * from final
