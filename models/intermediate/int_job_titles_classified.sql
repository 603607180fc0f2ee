{#- Each distinct job title -> seniority and department, by the first matching rule
    (lowest priority number) of the seeds job_title_seniority / job_title_departments. -#}
with

titles as (
    select distinct job_title from {{ ref('stg_crm__leads') }}
    where job_title is not null
),

seniority as (
    {{ classify_by_rules('titles', 'job_title', ref('job_title_seniority'), 'pattern', 'seniority') }}
),

department as (
    {{ classify_by_rules('titles', 'job_title', ref('job_title_departments'), 'pattern', 'department') }}
),

final as (
    select
        titles.job_title,
        coalesce(seniority.seniority, 'unknown') as seniority,
        coalesce(department.department, 'other') as department
    from titles
    left join seniority on titles.job_title = seniority.job_title
    left join department on titles.job_title = department.job_title
)

select * from final
