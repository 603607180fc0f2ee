{#- Each distinct job title -> seniority and department, by the first matching rule
    (lowest priority number) of the seeds job_title_seniority / job_title_departments. -#}
with

titles as (
    select distinct job_title from {{ ref('stg_crm__leads') }}
    where job_title is not null
),

seniority_rules as (
    select * from {{ ref('job_title_seniority') }}
),

department_rules as (
    select * from {{ ref('job_title_departments') }}
),

seniority as (
    select
        titles.job_title,
        seniority_rules.seniority
    from titles
    inner join seniority_rules
        on {{ regex_matches('titles.job_title', 'seniority_rules.pattern') }}
    qualify row_number() over (partition by titles.job_title order by seniority_rules.priority) = 1
),

department as (
    select
        titles.job_title,
        department_rules.department
    from titles
    inner join department_rules
        on {{ regex_matches('titles.job_title', 'department_rules.pattern') }}
    qualify row_number() over (partition by titles.job_title order by department_rules.priority) = 1
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
