{{ config(enabled=not (var('flat_file', none) or var('flat_table', none))) }}
{#- Do reps agree with the tiers? One row per (week of the verdict, tier the lead had
    when the rep gave it, verdict): how many verdicts, their share of the tier's
    verdicts that week, and whether the verdict contradicts the tier (a rejection of a
    lead in the top tier, an acceptance of a lead in the bottom tier). The tier is
    point in time (int_sales_feedback_tiered: score history, else the out-of-time
    backtest, else 'unscored'). -#}
with

tiered as (
    select * from {{ ref('int_sales_feedback_tiered') }}
),

tier_bounds as (
    select
        min(tier_rank) as top_rank,
        max(tier_rank) as bottom_rank
    from {{ ref('score_tiers') }}
),

weekly as (
    select
        cast({{ dbt.date_trunc('week', 'created_at') }} as date) as week_start,
        tier,
        tier_rank,
        verdict,
        verdict_label,
        is_acceptance,
        count(*) as verdicts,
        sum(case when tier_source = 'score_history' then 1 else 0 end) as verdicts_from_score_history,
        sum(case when tier_source = 'backtest' then 1 else 0 end) as verdicts_from_backtest
    from tiered
    group by 1, 2, 3, 4, 5, 6
),

final as (
    select
        weekly.week_start,
        weekly.tier,
        weekly.tier_rank,
        weekly.verdict,
        weekly.verdict_label,
        weekly.is_acceptance,
        cast(weekly.verdicts as bigint) as verdicts,
        cast(sum(weekly.verdicts) over (partition by weekly.week_start, weekly.tier) as bigint)
            as tier_verdicts,
        cast(weekly.verdicts as double)
        / sum(weekly.verdicts) over (partition by weekly.week_start, weekly.tier)
            as share_of_tier_verdicts,
        coalesce(
            (weekly.tier_rank = tier_bounds.top_rank and not weekly.is_acceptance)
            or (weekly.tier_rank = tier_bounds.bottom_rank and weekly.is_acceptance),
            false
        ) as is_disagreement,
        cast(weekly.verdicts_from_score_history as bigint) as verdicts_from_score_history,
        cast(weekly.verdicts_from_backtest as bigint) as verdicts_from_backtest
    from weekly
    cross join tier_bounds
)

select * from final
