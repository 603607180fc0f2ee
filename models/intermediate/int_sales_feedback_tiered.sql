{#- Every usable rep verdict with the tier the lead had when the rep gave it (point in
    time): the score-history version valid at that moment (tier_source 'score_history'),
    else the tier the champion gave the lead on the latest holdout snapshot date at most
    var snapshot_interval_days before the verdict (tier_source 'backtest': out-of-time
    predictions, so history older than the first build is covered), else 'unscored'. -#}
with

feedback as (
    select * from {{ ref('int_sales_feedback_mapped') }}
),

history as (
    select * from {{ ref('score_history') }}
),

backtest as (
    select * from {{ ref('int_holdout_examples_tiered') }}
),

tiers as (
    select * from {{ ref('score_tiers') }}
),

from_history as (
    select
        feedback.feedback_id,
        history.tier
    from feedback
    inner join history
        on
            feedback.lead_id = history.lead_id
            and history.valid_from <= feedback.created_at
            and (history.valid_to is null or feedback.created_at < history.valid_to)
    qualify row_number() over (
        partition by feedback.feedback_id order by history.valid_from desc
    ) = 1
),

from_backtest as (
    select
        feedback.feedback_id,
        backtest.tier
    from feedback
    inner join backtest
        on
            feedback.lead_id = backtest.lead_id
            and backtest.as_of <= feedback.created_at
            and feedback.created_at < {{ dbt.dateadd(
                'day', var('snapshot_interval_days'), 'backtest.as_of'
            ) }}
    qualify row_number() over (
        partition by feedback.feedback_id order by backtest.as_of desc
    ) = 1
),

final as (
    select
        feedback.feedback_id,
        feedback.lead_id,
        feedback.rep_id,
        feedback.verdict,
        feedback.verdict_label,
        feedback.is_acceptance,
        feedback.verdict_class,
        feedback.created_at,
        coalesce(from_history.tier, from_backtest.tier, 'unscored') as tier,
        tiers.tier_rank,
        case
            when from_history.tier is not null then 'score_history'
            when from_backtest.tier is not null then 'backtest'
            else 'unscored'
        end as tier_source
    from feedback
    left join from_history on feedback.feedback_id = from_history.feedback_id
    left join from_backtest on feedback.feedback_id = from_backtest.feedback_id
    left join tiers on coalesce(from_history.tier, from_backtest.tier) = tiers.tier
)

select * from final
