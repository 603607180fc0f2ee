{#- The feature row of every example (lead, as_of): person, firmographic, stage,
    engagement, key pages, sequence, decay and negative signals, timing and age, all
    from data before as_of. Attributes of the lead record are taken as entered at
    creation (form answers, title, source); account firmographics are the current
    values (slowly changing, documented). Every column except lead_id, as_of and
    snapshot_role is a model feature and has a row in seed feature_dictionary. -#}
with

spine as (
    select * from {{ ref('int_lead_snapshots_filtered') }}
),

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

accounts as (
    select * from {{ ref('int_accounts_enriched') }}
),

icp as (
    select * from {{ ref('int_lead_icp_fit') }}
),

engagement as (
    select * from {{ ref('int_lead_engagement_windows') }}
),

sequences as (
    select * from {{ ref('int_lead_sequences') }}
),

feedback as (
    select * from {{ ref('int_lead_feedback_features') }}
),

personal_domains as (
    select lower(trim(domain)) as domain from {{ ref('personal_email_domains') }}
),

final as (
    select
        spine.lead_id,
        spine.as_of,
        spine.snapshot_role,
        -- person
        leads.channel,
        leads.seniority,
        leads.department,
        leads.country_code,
        personal_domains.domain is not null as is_personal_email,
        -- qualification answers (as given on the form)
        coalesce(leads.budget_range, 'not answered') as budget_range,
        coalesce(leads.purchase_timeline, 'not answered') as purchase_timeline,
        coalesce(leads.stated_need, 'not answered') as stated_need,
        -- firmographic
        coalesce(accounts.industry, 'unknown') as industry,
        coalesce(accounts.company_size_band, 'unknown') as company_size_band,
        coalesce(accounts.revenue_band, 'unknown') as revenue_band,
        accounts.employee_count,
        accounts.annual_revenue,
        coalesce(accounts.icp_tech_matches, 0) as icp_tech_matches,
        coalesce(icp.icp_fit_score, 0) as icp_fit_score,
        -- funnel stage and age
        spine.current_stage,
        {{ dbt.datediff('spine.current_stage_entered_at', 'spine.as_of', 'day') }}
            as days_in_current_stage,
        {{ dbt.datediff('spine.created_at', 'spine.as_of', 'day') }} as lead_age_days,
        -- engagement windows by event type and key page
        {%- for w in var('engagement_windows_days') %}
        coalesce(engagement.events_{{ w }}d, 0) as events_{{ w }}d,
        coalesce(engagement.active_days_{{ w }}d, 0) as active_days_{{ w }}d,
        {%- for t in var('event_types') %}
        coalesce(engagement.{{ t }}_{{ w }}d, 0) as {{ t }}_{{ w }}d,
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        coalesce(engagement.{{ c }}_views_{{ w }}d, 0) as {{ c }}_views_{{ w }}d,
        {%- endfor %}
        {%- endfor %}
        -- lifetime totals and recency by event type and key page (null: never)
        {%- for t in var('event_types') %}
        coalesce(engagement.{{ t }}_total, 0) as {{ t }}_total,
        engagement.days_since_last_{{ t }},
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        coalesce(engagement.{{ c }}_views_total, 0) as {{ c }}_views_total,
        engagement.days_since_last_{{ c }}_view,
        {%- endfor %}
        coalesce(engagement.events_total, 0) as events_total,
        coalesce(engagement.active_days_total, 0) as active_days_total,
        -- decay and negative signals
        {{ dbt.datediff('engagement.last_event_at', 'spine.as_of', 'day') }}
            as days_since_last_activity,
        coalesce(engagement.decayed_activity_score, 0) as decayed_activity_score,
        coalesce(engagement.unsubscribe_total, 0) > 0 as has_unsubscribed,
        coalesce(engagement.email_bounce_total, 0) > 0 as has_bounced,
        -- sequence
        coalesce(sequences.sequence_completed_at < spine.as_of, false)
            as completed_{{ var('sequence_first_page') }}_then_{{ var('sequence_second_page') }},
        -- timing (UTC): first touch and speed of the first sales follow-up
        case {{ day_of_week('least(spine.created_at, coalesce(engagement.first_event_at, spine.created_at))') }}
            {%- for day in ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] %}
            when {{ loop.index0 }} then '{{ day }}'
            {%- endfor %}
        end as first_touch_weekday,
        {{ hour_of_day('least(spine.created_at, coalesce(engagement.first_event_at, spine.created_at))') }}
            as first_touch_hour,
        {{ dbt.datediff('spine.created_at', 'engagement.first_event_at', 'hour') }}
            as hours_from_creation_to_first_activity,
        {{ dbt.datediff('spine.created_at', 'engagement.first_sales_touch_at', 'hour') }}
            as hours_to_first_sales_touch,
        -- sales feedback given before as_of
        feedback.last_rep_verdict,
        coalesce(feedback.rep_rejections, 0) as rep_rejections
    from spine
    inner join leads on spine.lead_id = leads.lead_id
    left join accounts on leads.account_id = accounts.account_id
    left join icp on spine.lead_id = icp.lead_id
    left join engagement
        on
            spine.lead_id = engagement.lead_id
            and spine.as_of = engagement.as_of
    left join sequences on spine.lead_id = sequences.lead_id
    left join feedback
        on
            spine.lead_id = feedback.lead_id
            and spine.as_of = feedback.as_of
    left join personal_domains
        on lower(split_part(leads.email_normalized, '@', 2)) = personal_domains.domain
)

select * from final
