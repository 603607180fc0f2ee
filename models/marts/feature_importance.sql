{#- Global feature importance of every model in the registry, with the family. -#}
with

importance as (
    select * from {{ ref('ml_feature_importance') }}
),

registry as (
    select * from {{ ref('ml_model_registry') }}
),

final as (
    select
        importance.model_id,
        registry.status as model_status,
        importance.feature,
        importance.family,
        importance.importance,
        importance.importance_rank
    from importance
    inner join registry on importance.model_id = registry.model_id
)

select * from final
