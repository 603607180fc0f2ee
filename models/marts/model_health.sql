{{ config(materialized='incremental', unique_key='build_id', on_schema_change='append_new_columns', full_refresh=false) }}
{#- One row per build: the champion's health and its alerts (history kept, also
    through --full-refresh, like the model registry).
    - drift: a monitored feature or the score has PSI above var psi_alert_threshold;
    - accuracy: the champion's AUC on the current holdout (cohorts that matured since
      it was evaluated) fell below its registry holdout AUC by var auc_alert_margin;
    - tier calibration: in a tier with at least var tier_calibration_min_leads leads,
      the actual conversion rate is off the mean predicted probability by more than
      var tier_calibration_alert_gap (relative) and by more than two standard errors.
    - useless model: the model trained last was rejected because its holdout AUC is not
      credibly above var min_useful_auc, or the champion's current holdout AUC is at or
      below it: no model is worth its scores (without a champion the baseline tiers).
    - sales feedback: of the verdicts reps gave on leads in the top tier (tier at the
      verdict's time) in the var feedback_alert_window_days days up to the latest
      tiered verdict, at least var feedback_alert_min_verdicts, the share that rejects
      the lead is above var feedback_hot_rejection_threshold.
    retrain_alert is true for accuracy, calibration and sales-feedback alerts: the next
    build retrains (var retrain_on_alert). Drift alone informs; it does not retrain. -#}
with

registry as (
    select * from {{ ref('ml_model_registry') }}
),

champion as (
    select * from registry
    where status = 'champion'
    qualify row_number() over (order by trained_at desc) = 1
),

evaluation as (
    select * from {{ ref('model_performance') }}
    where scorer = 'model'
),

drift as (
    select * from {{ ref('feature_drift') }}
),

tiers as (
    select * from {{ ref('tier_performance') }}
),

{%- if is_flat_mode() %}

hot_feedback as (
    -- flat mode: no sales feedback
    select
        cast(null as bigint) as hot_verdicts,
        cast(null as bigint) as hot_rejections
),
{%- else %}

feedback as (
    select * from {{ ref('int_sales_feedback_tiered') }}
    where tier_source != 'unscored'
),

top_tier as (
    select min(tier_rank) as tier_rank from {{ ref('score_tiers') }}
),

feedback_window as (
    select
        {{ dbt.dateadd('day', -var('feedback_alert_window_days'), 'max(created_at)') }}
            as window_start
    from feedback
),

hot_feedback as (
    select
        count(*) as hot_verdicts,
        sum(case when feedback.is_acceptance then 0 else 1 end) as hot_rejections
    from feedback
    inner join top_tier on feedback.tier_rank = top_tier.tier_rank
    cross join feedback_window
    where feedback.created_at > feedback_window.window_start
),
{%- endif %}

drift_alerts as (
    select
        max(case when feature != 'score' then psi end) as max_feature_psi,
        max(case when feature = 'score' then psi end) as score_psi,
        sum(case when is_alert then 1 else 0 end) as drift_alerts
    from drift
),

tier_gaps as (
    -- a gap counts only when it is also beyond two standard errors of the tier's rate
    select
        max(
            abs(conversion_rate - mean_predicted_probability) / nullif(mean_predicted_probability, 0)
        ) as max_tier_calibration_gap,
        max(
            case when is_significant then relative_gap end
        ) as max_significant_gap
    from (
        select
            *,
            abs(conversion_rate - mean_predicted_probability)
            / nullif(mean_predicted_probability, 0) as relative_gap,
            abs(conversion_rate - mean_predicted_probability)
            > 2 * sqrt(mean_predicted_probability * (1 - mean_predicted_probability) / leads)
                as is_significant
        from tiers
    ) as tiers_tested
    where leads >= {{ var('tier_calibration_min_leads') }}
),

useless_model as (
    -- the latest model trained, rejected as indistinguishable from chance
    select
        coalesce(
            bool_or(
                status = 'rejected'
                and status_reason like '%not credibly above min_useful_auc%'
            ),
            false
        ) as is_latest_model_useless
    from (
        select * from registry
        qualify row_number() over (order by trained_at desc) = 1
    ) as latest_model
),

summary as (
    select
        champion.model_id,
        champion.holdout_auc as registry_holdout_auc,
        evaluation.auc as current_holdout_auc,
        drift_alerts.max_feature_psi,
        drift_alerts.score_psi,
        coalesce(drift_alerts.drift_alerts, 0) as drift_alerts,
        tier_gaps.max_tier_calibration_gap,
        coalesce(
            evaluation.auc < champion.holdout_auc - {{ var('auc_alert_margin') }}, false
        ) as is_accuracy_alert,
        coalesce(
            tier_gaps.max_significant_gap > {{ var('tier_calibration_alert_gap') }}, false
        ) as is_tier_calibration_alert,
        useless_model.is_latest_model_useless
        or coalesce(evaluation.auc <= {{ var('min_useful_auc') }}, false)
            as is_useless_model_alert,
        coalesce(hot_feedback.hot_verdicts, 0) as hot_verdicts,
        cast(hot_feedback.hot_rejections as double) / nullif(hot_feedback.hot_verdicts, 0)
            as hot_rejection_rate,
        coalesce(
            hot_feedback.hot_verdicts >= {{ var('feedback_alert_min_verdicts') }}
            and cast(hot_feedback.hot_rejections as double) / hot_feedback.hot_verdicts
            > {{ var('feedback_hot_rejection_threshold') }},
            false
        ) as is_feedback_alert
    from drift_alerts
    cross join tier_gaps
    cross join useless_model
    cross join hot_feedback
    left join champion on true
    left join evaluation on champion.model_id = evaluation.model_id
),

final as (
    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as build_id,
        {{ reference_time() }} as built_at,
        cast(model_id as {{ dbt.type_string() }}) as model_id,
        cast(registry_holdout_auc as double) as registry_holdout_auc,
        cast(current_holdout_auc as double) as current_holdout_auc,
        cast(max_feature_psi as double) as max_feature_psi,
        cast(score_psi as double) as score_psi,
        cast(max_tier_calibration_gap as double) as max_tier_calibration_gap,
        cast(drift_alerts as bigint) as drift_alerts,
        is_accuracy_alert,
        is_tier_calibration_alert,
        cast(
            drift_alerts
            + case when is_accuracy_alert then 1 else 0 end
            + case when is_tier_calibration_alert then 1 else 0 end
            + case when is_useless_model_alert then 1 else 0 end
            + case when is_feedback_alert then 1 else 0 end
            as bigint
        ) as alert_count,
        is_accuracy_alert or is_tier_calibration_alert or is_feedback_alert as retrain_alert,
        is_useless_model_alert,
        cast(hot_verdicts as bigint) as hot_verdicts,
        cast(hot_rejection_rate as double) as hot_rejection_rate,
        is_feedback_alert
    from summary
)

select * from final
