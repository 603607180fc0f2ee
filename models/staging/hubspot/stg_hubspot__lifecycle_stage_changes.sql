{#- HubSpot stages -> contract table lifecycle_stage_changes:
    - contact_property_history, name lifecyclestage: every value a contact entered,
      mapped through seed crm_stage_mapping (unmapped values passed on: quarantined as
      unknown_stage; values mapped to an empty stage, e.g. other, left out). Without
      the history table, the contact's hs_lifecyclestage_<stage>_date properties;
    - lead status (hs_lead_status) values the seed maps, e.g. UNQUALIFIED -> disqualified
      (HubSpot's other standard statuses map to no stage; a status the seed does not
      know is passed on and quarantined as unknown_stage, counted with the value);
    - deals (seed rows deal/created, deal/won): a contact enters opportunity when a
      deal of theirs is created and customer when it is won (portals without lifecycle
      automation still get labels). -#}
{%- set hubspot_stages = [
    'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead',
    'opportunity', 'customer', 'evangelist', 'other',
] -%}
{%- set date_columns = {'id': 'string'} -%}
{#- both branches' sources are dependencies, whichever is compiled -#}
{%- do source('hubspot', 'contact') -%}
{%- do source('hubspot', 'contact_property_history') -%}
{%- for stage in hubspot_stages -%}
{%- do date_columns.update({'property_hs_lifecyclestage_' ~ stage ~ '_date': 'timestamp'}) -%}
{%- endfor -%}
with

id_map as (
    select * from {{ ref('stg_hubspot__contact_merges') }}
),

stage_mapping as (
    select * from {{ ref('crm_stage_mapping') }}
    where crm = 'hubspot'
),

{% if connector_has('hubspot', 'contact_property_history') -%}
property_changes as (
    select
        history.contact_id,
        lower(history.name) as field,
        history.value,
        history.timestamp as changed_at
    from {{ connector_table('hubspot', 'contact_property_history', {
        'contact_id': 'string',
        'name': 'string',
        'value': 'string',
        'timestamp': 'timestamp',
    }) }} as history
    where lower(history.name) in ('lifecyclestage', 'hs_lead_status') and nullif(trim(history.value), '') is not null
),
{%- else -%}
contacts as (
    select * from {{ connector_table('hubspot', 'contact', date_columns) }} as contact
),

property_changes as (
    {%- for stage in hubspot_stages %}
    select
        id as contact_id,
        'lifecyclestage' as field,
        '{{ stage }}' as value,
        property_hs_lifecyclestage_{{ stage }}_date as changed_at
    from contacts
    where property_hs_lifecyclestage_{{ stage }}_date is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),
{%- endif %}

mapped_properties as (
    select
        coalesce(id_map.lead_id, property_changes.contact_id) as lead_id,
        case
            when stage_mapping.source_value is null then property_changes.value
            else stage_mapping.stage
        end as stage,
        property_changes.changed_at
    from property_changes
    left join stage_mapping
        on
            property_changes.field = lower(stage_mapping.field)
            and {{ crm_value_key('property_changes.value') }} = {{ crm_value_key('stage_mapping.source_value') }}
    left join id_map on property_changes.contact_id = id_map.contact_id
    where stage_mapping.source_value is null or stage_mapping.stage is not null
),

deals as (
    select * from {{ ref('stg_hubspot__opportunities') }}
),

from_deals as (
    select
        deals.lead_id,
        stage_mapping.stage,
        case stage_mapping.source_value
            when 'created' then deals.created_at
            else deals.closed_at
        end as changed_at
    from deals
    inner join stage_mapping
        on
            stage_mapping.field = 'deal'
            and stage_mapping.stage is not null
            and (
                stage_mapping.source_value = 'created'
                or (stage_mapping.source_value = 'won' and deals.is_won)
            )
),

unioned as (
    select * from mapped_properties
    union all
    select * from from_deals
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
