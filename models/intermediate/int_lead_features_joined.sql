{#- The feature row of every example (lead, as_of): person, firmographic, stage,
    engagement, sequence, recency and age features, all as of that date. Attributes of
    the lead record are taken as entered at creation (form answers, title, source);
    account firmographics are the current values (slowly changing, documented). -#}
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

engagement as (
    select * from {{ ref('int_lead_engagement_windows') }}
),

sequences as (
    select * from {{ ref('int_lead_sequences') }}
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
        coalesce(leads.budget_range, 'not answered') as budget_range,
        coalesce(leads.purchase_timeline, 'not answered') as purchase_timeline,
        coalesce(leads.stated_need, 'not answered') as stated_need,
        -- firmographic
        coalesce(accounts.industry, 'unknown') as industry,
        coalesce(accounts.company_size_band, 'unknown') as company_size_band,
        accounts.employee_count,
        accounts.annual_revenue,
        -- stage and age
        spine.current_stage,
        {{ dbt.datediff('spine.current_stage_entered_at', 'spine.as_of', 'day') }}
            as days_in_current_stage,
        {{ dbt.datediff('spine.created_at', 'spine.as_of', 'day') }} as lead_age_days,
        -- engagement windows and totals
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
        {%- for c in var('key_page_categories') %}
        coalesce(engagement.{{ c }}_views_total, 0) as {{ c }}_views_total,
        {%- endfor %}
        coalesce(engagement.events_total, 0) as events_total,
        coalesce(engagement.active_days_total, 0) as active_days_total,
        -- recency (null when the lead has no activity before as_of)
        {{ dbt.datediff('engagement.last_event_at', 'spine.as_of', 'day') }}
            as days_since_last_activity,
        {{ dbt.datediff('spine.created_at', 'engagement.first_event_at', 'hour') }}
            as hours_from_creation_to_first_activity,
        -- sequence
        coalesce(sequences.sequence_completed_at < spine.as_of, false)
            as completed_{{ var('sequence_first_page') }}_then_{{ var('sequence_second_page') }}
    from spine
    inner join leads on spine.lead_id = leads.lead_id
    left join accounts on leads.account_id = accounts.account_id
    left join engagement
        on
            spine.lead_id = engagement.lead_id
            and spine.as_of = engagement.as_of
    left join sequences on spine.lead_id = sequences.lead_id
)

select * from final
