{#- Per person: ICP fit score = the points of seed icp_criteria for the lead's
    industry, company-size band, seniority and department, plus
    var('icp_points_per_technology') times the weight of matching technologies
    (seed icp_technologies). Static attributes only, so it is point-in-time safe. -#}
with

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

accounts as (
    select * from {{ ref('int_accounts_enriched') }}
),

criteria as (
    select * from {{ ref('icp_criteria') }}
),

attributes as (
    select
        leads.lead_id,
        'industry' as dimension,
        accounts.industry as attribute_value
    from leads
    inner join accounts on leads.account_id = accounts.account_id
    union all
    select
        leads.lead_id,
        'company_size_band' as dimension,
        accounts.company_size_band as attribute_value
    from leads
    inner join accounts on leads.account_id = accounts.account_id
    union all
    select
        lead_id,
        'seniority' as dimension,
        seniority as attribute_value
    from leads
    union all
    select
        lead_id,
        'department' as dimension,
        department as attribute_value
    from leads
),

points as (
    select
        attributes.lead_id,
        sum(criteria.points) as criteria_points
    from attributes
    inner join criteria
        on
            attributes.dimension = criteria.dimension
            and lower(attributes.attribute_value) = lower(criteria.value)
    group by attributes.lead_id
),

final as (
    select
        leads.lead_id,
        coalesce(points.criteria_points, 0)
        + {{ var('icp_points_per_technology', 5) }} * coalesce(accounts.icp_tech_weight, 0)
            as icp_fit_score
    from leads
    left join points on leads.lead_id = points.lead_id
    left join accounts on leads.account_id = accounts.account_id
)

select * from final
