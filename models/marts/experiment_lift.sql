{#- Control vs treatment conversion per experiment (matured assignments only):
    absolute lift = treatment rate - control rate, relative lift = absolute / control
    rate, and the 95% confidence interval of the absolute lift (normal approximation
    of the difference of two proportions). -#}
with

outcomes as (
    {%- if is_flat_mode() %}
    {#- flat mode: a flat export has no experiment assignments (empty) #}
    select
        cast(null as {{ dbt.type_string() }}) as experiment_id,
        cast(null as {{ dbt.type_string() }}) as variant,
        cast(null as boolean) as converted
    where false
    {%- else %}
    select * from {{ ref('int_experiment_outcomes') }}
    {%- endif %}
),

per_variant as (
    select
        experiment_id,
        sum(case when variant = 'control' then 1 else 0 end) as control_leads,
        sum(case when variant = 'control' and converted then 1 else 0 end) as control_conversions,
        sum(case when variant = 'treatment' then 1 else 0 end) as treatment_leads,
        sum(case when variant = 'treatment' and converted then 1 else 0 end) as treatment_conversions
    from outcomes
    group by experiment_id
),

rates as (
    select
        *,
        cast(control_conversions as double) / nullif(control_leads, 0) as control_rate,
        cast(treatment_conversions as double) / nullif(treatment_leads, 0) as treatment_rate
    from per_variant
),

intervals as (
    select
        *,
        treatment_rate - control_rate as absolute_lift,
        1.96 * sqrt(
            control_rate * (1 - control_rate) / nullif(control_leads, 0)
            + treatment_rate * (1 - treatment_rate) / nullif(treatment_leads, 0)
        ) as margin
    from rates
),

final as (
    select
        experiment_id,
        cast(control_leads as bigint) as control_leads,
        cast(control_conversions as bigint) as control_conversions,
        round(control_rate, 6) as control_rate,
        cast(treatment_leads as bigint) as treatment_leads,
        cast(treatment_conversions as bigint) as treatment_conversions,
        round(treatment_rate, 6) as treatment_rate,
        round(absolute_lift, 6) as absolute_lift,
        round(absolute_lift / nullif(control_rate, 0), 6) as relative_lift,
        round(absolute_lift - margin, 6) as absolute_lift_ci_low,
        round(absolute_lift + margin, 6) as absolute_lift_ci_high
    from intervals
)

select * from final
