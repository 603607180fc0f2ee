{%- set event_reasons = [
    'missing_event_id', 'duplicate_event_id', 'missing_lead_id', 'unparseable_occurred_at',
    'unknown_lead', 'lead_quarantined', 'future_dated', 'too_old', 'unknown_event_type', 'invalid_duration',
] -%}
{#- reasons of int_leads_quarantined not counted by a rule of their own below -#}
{%- set lead_reasons = ['duplicate_record', 'superseded_record', 'future_dated', 'too_old'] -%}
{%- set stage_reasons = [
    'unparseable_changed_at', 'future_dated', 'too_old', 'unknown_lead', 'lead_quarantined',
    'unknown_stage', 'duplicate_stage_change',
] -%}
{%- set opportunity_reasons = [
    'missing_opportunity_id', 'unparseable_created_at', 'future_dated', 'too_old', 'unknown_lead',
    'lead_quarantined', 'duplicate_opportunity_id', 'closed_before_created',
] -%}
{%- set account_reasons = ['missing_account_id', 'duplicate_account_id'] -%}
{#- quarantines whose description lists the values (the first 20, sorted) -#}
{%- set value_lists = {
    ('lifecycle_stage_changes', 'unknown_stage'): 'stage_unknown_values',
    ('events', 'unknown_event_type'): 'event_unknown_values',
} -%}
{%- set feedback_reasons = [
    'missing_lead_id', 'unparseable_created_at', 'unknown_lead', 'lead_quarantined', 'future_dated',
    'unknown_verdict', 'duplicate_verdict',
] -%}
{#- (source_table, rule, description, checked, fixed, defaulted, excluded, quarantined) -#}
{%- set rules = [
    ('leads', 'created_at_format', 'created_at parsed to UTC from another format than YYYY-MM-DD HH:MM:SS; unparseable -> quarantine',
        'lead_rows', 'lead_reformatted_created', 0, 0, 'lead_bad_created'),
    ('leads', 'missing_lead_id', 'lead record without a lead_id -> quarantine', 'lead_rows', 0, 0, 0, 'lead_missing_id'),
    ('leads', 'duplicate_email', 'records of one person (same normalised e-mail) merged into the earliest created',
        'lead_rows', 'people_merged', 0, 0, 0),
    ('leads', 'lead_source_unmapped', 'lead_source spelling not in seed lead_source_mapping -> channel other',
        'lead_rows', 0, 'lead_unmapped_source', 0, 0),
    ('leads', 'lead_source_missing', 'empty lead_source -> channel unknown', 'lead_rows', 0, 'lead_missing_source', 0, 0),
    ('leads', 'country_unknown', 'country empty or not in seed country_codes -> unknown',
        'lead_rows', 0, 'lead_unknown_country', 0, 0),
    ('leads', 'job_title_missing', 'no job title -> seniority and department unknown',
        'lead_rows', 0, 'lead_missing_title', 0, 0),
    ('leads', 'deleted', 'person deleted in the CRM (every record): neither trained on nor scored',
        'lead_rows', 0, 0, 'people_deleted', 0),
    ('leads', 'invalid_boolean', 'is_deleted, email_bounced or unsubscribed not a yes/no value -> false',
        'lead_rows', 0, 'lead_invalid_boolean', 0, 0),
    ('events', 'occurred_at_format', 'occurred_at parsed to UTC from another format than YYYY-MM-DD HH:MM:SS',
        'event_rows', 'event_reformatted', 0, 0, 0),
    ('events', 'duration_not_a_number', 'duration_seconds text, NaN or infinite -> null',
        'event_rows', 0, 'event_duration_not_a_number', 0, 0),
    ('events', 'event_type_spelling', 'event_type normalised (case, spaces)', 'event_rows', 'event_respelled', 0, 0, 0),
    ('events', 'remapped_to_surviving_lead', 'event of a duplicate record moved to the surviving lead',
        'event_rows', 'event_remapped', 0, 0, 0),
    ('lifecycle_stage_changes', 'stage_spelling', 'stage normalised (case, spaces)',
        'stage_rows', 'stage_respelled', 0, 0, 0),
    ('lifecycle_stage_changes', 'changed_at_format', 'changed_at parsed to UTC from another format than YYYY-MM-DD HH:MM:SS',
        'stage_rows', 'stage_reformatted', 0, 0, 0),
    ('opportunities', 'remapped_to_surviving_lead', 'deal of a duplicate record moved to the surviving lead',
        'opportunity_rows', 'opportunity_remapped', 0, 0, 0),
    ('opportunities', 'invalid_is_won', 'is_won not a yes/no or Won/Lost value -> null (unknown)',
        'opportunity_rows', 0, 'opportunity_invalid_is_won', 0, 0),
    ('opportunities', 'invalid_amount', 'amount text, NaN or infinite -> null',
        'opportunity_rows', 0, 'opportunity_invalid_amount', 0, 0),
    ('opportunities', 'negative_amount', 'amount below 0 -> null',
        'opportunity_rows', 0, 'opportunity_negative_amount', 0, 0),
    ('accounts', 'invalid_employee_count', 'employee_count not a number in 1 .. var max_employee_count -> null',
        'account_rows', 0, 'account_invalid_employee_count', 0, 0),
    ('accounts', 'invalid_annual_revenue', 'annual_revenue not a number in 0 .. var max_annual_revenue -> null',
        'account_rows', 0, 'account_invalid_annual_revenue', 0, 0),
] -%}
{%- for reason in event_reasons -%}
    {%- do rules.append(('events', reason, 'event quarantined: ' ~ reason | replace('_', ' '),
        'event_rows', 0, 0, 0, 'event_' ~ reason)) -%}
{%- endfor -%}
{%- for reason in lead_reasons -%}
    {%- do rules.append(('leads', reason, 'lead record quarantined: ' ~ reason | replace('_', ' '),
        'lead_rows', 0, 0, 0, 'lead_' ~ reason)) -%}
{%- endfor -%}
{%- for reason in stage_reasons -%}
    {%- do rules.append(('lifecycle_stage_changes', reason, 'stage change quarantined: ' ~ reason | replace('_', ' '),
        'stage_rows', 0, 0, 0, 'stage_' ~ reason)) -%}
{%- endfor -%}
{%- for reason in opportunity_reasons -%}
    {%- do rules.append(('opportunities', reason, 'deal quarantined: ' ~ reason | replace('_', ' '),
        'opportunity_rows', 0, 0, 0, 'opportunity_' ~ reason)) -%}
{%- endfor -%}
{%- for reason in account_reasons -%}
    {%- do rules.append(('accounts', reason, 'account row quarantined: ' ~ reason | replace('_', ' '),
        'account_rows', 0, 0, 0, 'account_' ~ reason)) -%}
{%- endfor -%}
{%- for reason in feedback_reasons -%}
    {%- do rules.append(('sales_feedback', reason, 'rep verdict quarantined: ' ~ reason | replace('_', ' '),
        'feedback_rows', 0, 0, 0, 'feedback_' ~ reason)) -%}
{%- endfor %}
{#- One row per cleaning rule of this build: rows checked, fixed (kept in a standard
    form), defaulted (kept with a default such as channel 'other'), excluded (kept but
    not scored) and quarantined (moved to an int_*_quarantined model). Every count is
    coalesced where it is computed: a sum over no rows is null, and null + n is null. -#}
with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

leads_quarantined as (
    select * from {{ ref('int_leads_quarantined') }}
),

people as (
    select * from {{ ref('int_leads_deduplicated') }}
),

source_mapping as (
    select * from {{ ref('int_lead_sources_keyed') }}
),

countries as (
    select * from {{ ref('int_country_codes_keyed') }}
),

events as (
    select * from {{ ref('int_events_checked') }}
),

stage_changes as (
    select * from {{ ref('stg_crm__lifecycle_stage_changes') }}
),

stages_quarantined as (
    select * from {{ ref('int_stage_changes_quarantined') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

opportunities_mapped as (
    select * from {{ ref('int_opportunities_mapped') }}
),

opportunities_quarantined as (
    select * from {{ ref('int_opportunities_quarantined') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

accounts_enriched as (
    select * from {{ ref('int_accounts_enriched') }}
),

accounts_quarantined as (
    select * from {{ ref('int_accounts_quarantined') }}
),

feedback_checked as (
    select * from {{ ref('int_sales_feedback_checked') }}
),

lead_counts as (
    select
        count(*) as lead_rows,
        coalesce(sum(case
            when created_at is not null and not {{ is_canonical_timestamp('created_at_raw') }} then 1 else 0
        end), 0) as lead_reformatted_created,
        coalesce(sum(case when lead_source_key is null then 1 else 0 end), 0) as lead_missing_source,
        coalesce(sum(case
            when
                lead_source_key is not null
                and lead_source_key not in (select source_mapping.lead_source_key from source_mapping)
                then 1
            else 0
        end), 0) as lead_unmapped_source,
        coalesce(sum(case
            when country_key is null or country_key not in (select countries.country_key from countries)
                then 1
            else 0
        end), 0) as lead_unknown_country,
        coalesce(sum(case when job_title is null then 1 else 0 end), 0) as lead_missing_title,
        coalesce(sum(case when has_invalid_boolean then 1 else 0 end), 0) as lead_invalid_boolean
    from leads
),

lead_quarantine_counts as (
    select
        {%- for reason in lead_reasons %}
        coalesce(sum(case when quarantine_reason = '{{ reason }}' then 1 else 0 end), 0) as lead_{{ reason }},
        {%- endfor %}
        coalesce(sum(case when quarantine_reason = 'missing_lead_id' then 1 else 0 end), 0) as lead_missing_id,
        coalesce(sum(case when quarantine_reason = 'unparseable_created_at' then 1 else 0 end), 0)
            as lead_bad_created
    from leads_quarantined
),

people_counts as (
    select
        coalesce(sum(record_count - 1), 0) as people_merged,
        coalesce(sum(case when is_deleted then 1 else 0 end), 0) as people_deleted
    from people
),

-- one pass over every exported event (clean and quarantined alike)
event_counts as (
    select
        {%- for reason in event_reasons %}
        coalesce(sum(case when quarantine_reason = '{{ reason }}' then 1 else 0 end), 0) as event_{{ reason }},
        {%- endfor %}
        (
            select {{ dbt.listagg('unknown_types.event_type_raw', "', '", 'order by unknown_types.event_type_raw', 20) }}
            from (
                select distinct unknown_events.event_type_raw from events as unknown_events
                where unknown_events.quarantine_reason = 'unknown_event_type'
            ) as unknown_types
        ) as event_unknown_values,
        count(*) as event_rows,
        coalesce(sum(case when is_occurred_at_reformatted then 1 else 0 end), 0) as event_reformatted,
        coalesce(sum(case when is_duration_not_a_number then 1 else 0 end), 0) as event_duration_not_a_number,
        coalesce(sum(case
            when quarantine_reason is null and is_event_type_respelled then 1 else 0
        end), 0) as event_respelled,
        coalesce(sum(case when quarantine_reason is null and is_remapped then 1 else 0 end), 0) as event_remapped
    from events
),

stage_counts as (
    select
        {%- for reason in stage_reasons %}
        (
            select count(*) from stages_quarantined
            where stages_quarantined.quarantine_reason = '{{ reason }}'
        ) as stage_{{ reason }},
        {%- endfor %}
        (
            select {{ dbt.listagg('unknown_stages.stage', "', '", 'order by unknown_stages.stage', 20) }}
            from (
                select distinct stages_quarantined.stage from stages_quarantined
                where stages_quarantined.quarantine_reason = 'unknown_stage'
            ) as unknown_stages
        ) as stage_unknown_values,
        count(*) as stage_rows,
        coalesce(sum(case when stage_raw != stage then 1 else 0 end), 0) as stage_respelled,
        coalesce(sum(case
            when changed_at is not null and not {{ is_canonical_timestamp('changed_at_raw') }} then 1 else 0
        end), 0) as stage_reformatted
    from stage_changes
),

opportunity_counts as (
    select
        {%- for reason in opportunity_reasons %}
        coalesce(sum(case when quarantine_reason = '{{ reason }}' then 1 else 0 end), 0)
            as opportunity_{{ reason }},
        {%- endfor %}
        (select count(*) from opportunities) as opportunity_rows,
        (
            select coalesce(sum(case when opportunities_mapped.is_remapped then 1 else 0 end), 0)
            from opportunities_mapped
        ) as opportunity_remapped,
        (
            select coalesce(sum(case when opportunities.is_won_invalid then 1 else 0 end), 0)
            from opportunities
        ) as opportunity_invalid_is_won,
        (
            select coalesce(sum(case when opportunities.is_amount_not_a_number then 1 else 0 end), 0)
            from opportunities
        ) as opportunity_invalid_amount,
        (
            select coalesce(sum(case when opportunities.is_amount_negative then 1 else 0 end), 0)
            from opportunities
        ) as opportunity_negative_amount,
        count(*) as opportunity_quarantined_rows
    from opportunities_quarantined
),

account_counts as (
    select
        {%- for reason in account_reasons %}
        coalesce(sum(case when quarantine_reason = '{{ reason }}' then 1 else 0 end), 0) as account_{{ reason }},
        {%- endfor %}
        (select count(*) from accounts) as account_rows,
        (
            select coalesce(sum(case when accounts_enriched.is_employee_count_invalid then 1 else 0 end), 0)
            from accounts_enriched
        ) as account_invalid_employee_count,
        (
            select coalesce(sum(case when accounts_enriched.is_annual_revenue_invalid then 1 else 0 end), 0)
            from accounts_enriched
        ) as account_invalid_annual_revenue,
        count(*) as account_quarantined_rows
    from accounts_quarantined
),

feedback_counts as (
    select
        {%- for reason in feedback_reasons %}
        sum(case when quarantine_reason = '{{ reason }}' then 1 else 0 end) as feedback_{{ reason }},
        {%- endfor %}
        count(*) as feedback_rows
    from feedback_checked
),

totals as (
    select
        lead_counts.*,
        lead_quarantine_counts.*,
        people_counts.*,
        event_counts.*,
        stage_counts.*,
        opportunity_counts.*,
        account_counts.*,
        feedback_counts.*
    from lead_counts
    cross join lead_quarantine_counts
    cross join people_counts
    cross join event_counts
    cross join stage_counts
    cross join opportunity_counts
    cross join account_counts
    cross join feedback_counts
),

rule_numbers as (
    {#- one row per rule: the single-row totals are read once and spread over the rules
        (a union of one select per rule re-evaluates every count per rule on engines that
        do not materialise CTEs, Spark: minutes at 2,000 leads) #}
    {%- for r in rules %}
    select {{ loop.index0 }} as rule_number
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

rules as (
    select
        {%- for field in ['source_table', 'rule', 'description', 'rows_checked', 'rows_fixed', 'rows_defaulted',
            'rows_excluded', 'rows_quarantined'] %}
        {%- set i = loop.index0 %}
        case rule_numbers.rule_number
            {%- for r in rules %}
            {%- if i < 2 %}
            when {{ loop.index0 }} then '{{ r[i] }}'
            {%- elif i == 2 and (r[0], r[1]) in value_lists %}
            when {{ loop.index0 }}
                then '{{ r[2] }}' || coalesce(' (values: ' || totals.{{ value_lists[(r[0], r[1])] }} || ')', '')
            {%- elif i == 2 %}
            when {{ loop.index0 }} then '{{ r[2] }}'
            {%- elif r[i] is string %}
            when {{ loop.index0 }} then totals.{{ r[i] }}
            {%- else %}
            when {{ loop.index0 }} then {{ r[i] }}
            {%- endif %}
            {%- endfor %}
        end as {{ field }},
        {%- endfor %}
        rule_numbers.rule_number
    from totals
    cross join rule_numbers
),

final as (
    select
        source_table,
        rule,
        description,
        cast(coalesce(rows_checked, 0) as bigint) as rows_checked,
        cast(coalesce(rows_fixed, 0) as bigint) as rows_fixed,
        cast(coalesce(rows_defaulted, 0) as bigint) as rows_defaulted,
        cast(coalesce(rows_excluded, 0) as bigint) as rows_excluded,
        cast(coalesce(rows_quarantined, 0) as bigint) as rows_quarantined
    from rules
)

select * from final
