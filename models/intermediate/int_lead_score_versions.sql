{#- What the score history keeps of each open lead's row in lead_scores: its score,
    tier and their source, the input of snapshot lead_scores_snapshot (a new version
    when score or tier changes). Ephemeral, as dbt recommends for a snapshot's
    transformation: nothing is stored. Not the whole lead_scores row: every version
    kept the lead's e-mail, owner and six reasons with their JSON (about 1 KB a lead),
    so the snapshot grew by about that per changed lead and build, and a daily build's
    insert of the changed versions went through DuckDB's write-ahead log (41.7 MB for
    30,000 rows) and set off a checkpoint inside the build. Snapshots made before keep
    their other columns, null in the versions written since. -#}
{{ config(materialized='ephemeral') }}

with

scores as (
    select * from {{ ref('lead_scores') }}
),

final as (
    select
        lead_id,
        score,
        tier,
        score_source,
        model_id
    from scores
)

select * from final
