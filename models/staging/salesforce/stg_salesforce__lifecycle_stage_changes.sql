{#- Salesforce stages -> contract table lifecycle_stage_changes, mapped through seed
    crm_stage_mapping:
    - every lead enters lead when created;
    - lead_history rows of field Status: the new status (unmapped statuses are passed
      on and quarantined as unknown_stage, counted with the value). Without
      lead_history, the current status at last_modified_date when it is a closing
      status (e.g. disqualified) or a status the seed does not know (quarantined);
    - conversion (is_converted, converted_date): conversion/converted (sql);
    - the converted opportunity: created (opportunity), won (customer), lost
      (disqualified) at its closed_at. -#}
{%- do source('salesforce', 'lead_history') %}
-- depends_on: {{ ref('lifecycle_stages') }}
-- depends_on: {{ ref('stg_salesforce__person_ids') }}
with

leads as (
    select *
    from {{ connector_table('salesforce', 'lead', {
        'id': 'string',
        'master_record_id': 'string',
        'status': 'string',
        'created_date': 'timestamp',
        'last_modified_date': 'timestamp',
        'is_converted': 'boolean',
        'converted_date': 'timestamp',
    }, keep_deleted=true) }} as lead
    where not (is_removed and master_record_id is not null)
),

stage_mapping as (
    select * from {{ ref('crm_stage_mapping') }}
    where crm = 'salesforce'
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

{% if connector_has('salesforce', 'lead_history') -%}
person_ids as (
    select * from {{ ref('stg_salesforce__person_ids') }}
),

status_changes as (
    select
        person_ids.lead_id,
        history.new_value as status,
        history.created_date as changed_at
    from {{ connector_table('salesforce', 'lead_history', {
        'lead_id': 'string',
        'field': 'string',
        'new_value': 'string',
        'created_date': 'timestamp',
    }) }} as history
    inner join person_ids on history.lead_id = person_ids.person_id
    where lower(history.field) = 'status' and nullif(trim(history.new_value), '') is not null
),
{%- else -%}
status_changes as (
    select
        leads.id as lead_id,
        leads.status,
        leads.last_modified_date as changed_at
    from leads
    left join stage_mapping
        on
            stage_mapping.field = 'status'
            and {{ crm_value_key('leads.status') }} = {{ crm_value_key('stage_mapping.source_value') }}
    left join {{ ref('lifecycle_stages') }} as stages on stage_mapping.stage = stages.stage
    where
        nullif(trim(leads.status), '') is not null
        and (stages.is_closed or stage_mapping.source_value is null)
),
{%- endif %}

mapped_status as (
    select
        status_changes.lead_id,
        case
            when stage_mapping.source_value is null then status_changes.status
            else stage_mapping.stage
        end as stage,
        status_changes.changed_at
    from status_changes
    left join stage_mapping
        on
            stage_mapping.field = 'status'
            and {{ crm_value_key('status_changes.status') }} = {{ crm_value_key('stage_mapping.source_value') }}
    where stage_mapping.source_value is null or stage_mapping.stage is not null
),

outcome_stages as (
    select
        field,
        source_value,
        stage
    from stage_mapping
    where field in ('conversion', 'opportunity') and stage is not null
),

milestones as (
    select
        id as lead_id,
        'lead' as stage,
        created_date as changed_at
    from leads
    union all
    select
        leads.id as lead_id,
        outcome_stages.stage,
        leads.converted_date as changed_at
    from leads
    inner join outcome_stages on outcome_stages.field = 'conversion' and outcome_stages.source_value = 'converted'
    where leads.is_converted and leads.converted_date is not null
    union all
    select
        opportunities.lead_id,
        outcome_stages.stage,
        case outcome_stages.source_value
            when 'created' then opportunities.created_at
            else opportunities.closed_at
        end as changed_at
    from opportunities
    inner join outcome_stages
        on
            outcome_stages.field = 'opportunity'
            and (
                outcome_stages.source_value = 'created'
                or (outcome_stages.source_value = 'won' and opportunities.is_won)
                or (outcome_stages.source_value = 'lost' and opportunities.closed_at is not null and not opportunities.is_won)
            )
),

unioned as (
    select * from mapped_status
    union all
    select * from milestones
),

final as (
    select distinct
        lead_id,
        stage,
        changed_at
    from unioned
    where changed_at is not null
)

select * from final
