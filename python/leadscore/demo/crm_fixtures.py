"""HubSpot and Salesforce fixtures in the layout Fivetran syncs them, from the demo generator.

`connector_tables(crm, raw)` converts a generated raw-data contract export (the
Markov journeys of `leadscore.demo.generator`, so the planted signal survives) into the
connector's standard tables with their documented column names: HubSpot's
`contact` (properties as `property_*` columns, merged contacts listed on the
survivor in `property_hs_merged_object_ids`), `company`, `deal`, `deal_stage`,
`deal_pipeline_stage`, `deal_contact`, `deal_company`, `engagement` with its type
tables (`engagement_call`, `_meeting`, `_email`, `_note`, `_task`: the time and status
of each),
`engagement_contact`, `email_event` and its type tables, `contact_form_submission`
(`title` = the page's title) and `form` (the form's name), `contact_property_history`; Salesforce's
`lead`, `contact`, `account`, `opportunity`, `opportunity_history`, `task`,
`event`, `lead_history` (custom fields as Fivetran names them: `budget_range_c`).
`load_tables` writes them into a schema of a DuckDB file, where the dbt sources
`hubspot` / `salesforce` read them.

What the connectors cannot carry is dropped, as in real life: HubSpot's schema has
no page views, chats or webinar attendance; Salesforce has no marketing e-mail or
web activity. Deterministic: the same export gives the same tables.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import duckdb

from leadscore.demo.generator import GeneratorConfig, generate
from leadscore.reporting.publish import quote_identifier, sql_string

CRMS = ("hubspot", "salesforce")
# the moment of the sync: the generator's export time
SYNCED_AT = "timestamp '2026-11-01 00:00:00'"

# generic raw tables, typed: timestamps parsed from the generator's mixed formats
_PARSE = """
create or replace macro ts(x) as (
    case
        when regexp_matches(trim(x), '^[0-9]{9,10}$')
            then cast(to_timestamp(cast(trim(x) as bigint)) at time zone 'UTC' as timestamp)
        when regexp_matches(trim(x), '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then cast(try_cast(trim(x) as timestamptz) at time zone 'UTC' as timestamp)
        else coalesce(try_cast(trim(x) as timestamp),
                      try_strptime(trim(x), ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y']))
    end);
create or replace macro num(x) as cast(regexp_extract(x, '[0-9]+') as bigint);
create table g_leads as
    select *, num(lead_id) as n, ts(created_at) as created, ts(updated_at) as updated,
        first_value(lead_id) over (partition by lower(trim(email))
                                   order by ts(created_at), lead_id) as survivor
    from read_parquet('{raw}/leads/*.parquet');
create table g_accounts as select *, num(account_id) as n
    from read_parquet('{raw}/accounts/*.parquet');
create table g_events as
    select * exclude (occurred_at, event_type), ts(occurred_at) as occurred,
        replace(lower(trim(event_type)), ' ', '_') as event_type, num(event_id) as n
    from read_parquet('{raw}/events/*.parquet')
    where ts(occurred_at) is not null;
create table g_stages as
    select distinct lead_id, lower(trim(stage)) as stage, ts(changed_at) as changed
    from read_parquet('{raw}/lifecycle_stage_changes/*.parquet')
    where ts(changed_at) is not null;
create table g_opps as
    select *, num(opportunity_id) as n, ts(created_at) as created, ts(closed_at) as closed
    from read_parquet('{raw}/opportunities/*.parquet');
-- sales activities: meetings every third call (HubSpot engagements)
create table g_acts as
    select n, lead_id, occurred, duration_seconds, case
        when event_type = 'email_reply' then 'INCOMING_EMAIL'
        when n % 3 = 0 then 'MEETING' else 'CALL' end as type
    from g_events where event_type in ('sales_call', 'email_reply');
-- first entry of each stage per lead
create table g_first as
    select lead_id, stage, min(changed) as changed from g_stages group by all;
"""

_HUBSPOT = {
    "company": """
        select 200000 + n as id, false as is_deleted, false as _fivetran_deleted,
            {synced} as _fivetran_synced, company_name as property_name,
            domain as property_domain, industry as property_industry,
            employee_count as property_numberofemployees,
            annual_revenue as property_annualrevenue, country as property_country,
            lower(regexp_replace(tech_stack, '\\s*[;,|]\\s*', ';', 'g'))
                as property_web_technologies
        from g_accounts order by id""",
    "contact": """
        with merged as (
            select survivor, string_agg(cast(100000 + n as varchar), ';' order by n) as ids
            from g_leads where lead_id != survivor group by survivor
        ),
        stage_dates as (
            select lead_id,
                min(changed) filter (where stage = 'subscriber') as d_subscriber,
                min(changed) filter (where stage = 'lead') as d_lead,
                min(changed) filter (where stage = 'mql') as d_mql,
                min(changed) filter (where stage = 'sql') as d_sql,
                min(changed) filter (where stage = 'opportunity') as d_opportunity,
                min(changed) filter (where stage = 'customer') as d_customer,
                arg_max(stage, changed) filter (where stage != 'disqualified') as current_stage
            from g_stages group by lead_id
        )
        select 100000 + l.n as id,
            l.is_deleted or l.lead_id != l.survivor as _fivetran_deleted,
            {synced} as _fivetran_synced,
            merged.ids as property_hs_merged_object_ids,
            l.email as property_email,
            split_part(l.email, '.', 1) as property_firstname,
            regexp_extract(l.email, '^[a-z]+\\.([a-z]+)', 1) as property_lastname,
            l.job_title as property_jobtitle, l.company_name as property_company,
            200000 + num(l.account_id) as property_associatedcompanyid,
            case
                when regexp_matches(l.lead_source, '(?i)organic|seo') then 'ORGANIC_SEARCH'
                when regexp_matches(l.lead_source, '(?i)google|ppc|paid search|adwords|bing')
                    then 'PAID_SEARCH'
                when regexp_matches(l.lead_source, '(?i)linked|li paid') then 'PAID_SOCIAL'
                when regexp_matches(l.lead_source, '(?i)referral|word of mouth') then 'REFERRALS'
                when regexp_matches(l.lead_source, '(?i)webinar|trade|conference|event')
                    then 'OFFLINE'
                when l.lead_source is null then null
                else 'OTHER_CAMPAIGNS'
            end as property_hs_analytics_source,
            l.country as property_country,
            l.created as property_createdate, l.updated as property_lastmodifieddate,
            cast(num(l.owner_id) + 5000 as varchar) as property_hubspot_owner_id,
            l.unsubscribed as property_hs_email_optout,
            case when l.email_bounced then 1 else 0 end as property_hs_email_bounce,
            l.budget_range as property_budget_range,
            l.purchase_timeline as property_purchase_timeline,
            l.stated_need as property_stated_need,
            case s.current_stage when 'mql' then 'marketingqualifiedlead'
                when 'sql' then 'salesqualifiedlead' else s.current_stage
            end as property_lifecyclestage,
            s.d_subscriber as property_hs_lifecyclestage_subscriber_date,
            s.d_lead as property_hs_lifecyclestage_lead_date,
            s.d_mql as property_hs_lifecyclestage_marketingqualifiedlead_date,
            s.d_sql as property_hs_lifecyclestage_salesqualifiedlead_date,
            s.d_opportunity as property_hs_lifecyclestage_opportunity_date,
            s.d_customer as property_hs_lifecyclestage_customer_date
        from g_leads as l
        left join merged on l.lead_id = merged.survivor
        left join stage_dates as s on l.lead_id = s.lead_id
        order by id""",
    "contact_property_history": """
        select 100000 + l.n as contact_id,
            case when s.stage = 'disqualified' then 'hs_lead_status' else 'lifecyclestage' end
                as name,
            case s.stage when 'mql' then 'marketingqualifiedlead'
                when 'sql' then 'salesqualifiedlead' when 'disqualified' then 'UNQUALIFIED'
                else s.stage end as value,
            s.changed as timestamp, 'CRM_UI' as source, null as source_id,
            {synced} as _fivetran_synced
        from g_stages as s join g_leads as l using (lead_id)
        union all  -- every new contact gets lead status NEW (not a stage: ignored)
        select 100000 + n, 'hs_lead_status', 'NEW', created, 'API', null, {synced}
        from g_leads where created is not null
        order by contact_id, timestamp, name""",
    "email_event": """
        with mail as (
            select e.*, l.email from g_events as e join g_leads as l using (lead_id)
            where e.event_type in ('email_open', 'email_click', 'email_bounce', 'unsubscribe')
        ),
        typed as (
            select 'ev' || n as id, case event_type when 'email_open' then 'OPEN'
                when 'email_click' then 'CLICK' when 'email_bounce' then 'BOUNCE'
                else 'STATUSCHANGE' end as type, occurred as created, email, campaign_id
            from mail
            union all  -- what we sent: SENT and DELIVERED before each open (not actions)
            select 'sent' || n, 'SENT', occurred - interval 3 hour, email, campaign_id
            from mail where event_type = 'email_open'
            union all
            select 'dlv' || n, 'DELIVERED', occurred - interval 175 minute, email, campaign_id
            from mail where event_type = 'email_open'
        )
        select id, type, created, email as recipient,
            num(campaign_id) as email_campaign_id, false as filtered_event,
            42 as portal_id, 7 as app_id, null as caused_by_id, null as caused_by_created,
            null as obsoleted_by_id, null as obsoleted_by_created, null as sent_by_id,
            null as sent_by_created, {synced} as _fivetran_synced
        from typed order by id""",
    "email_event_sent": """
        select 'sent' || n as id, 'Acme Marketing' as from_name, campaign_id as subject,
            {synced} as _fivetran_synced
        from g_events where event_type = 'email_open' order by id""",
    "email_event_delivered": """
        select 'dlv' || n as id, '250 OK' as response, 'smtp' || n as smtp_id,
            {synced} as _fivetran_synced
        from g_events where event_type = 'email_open' order by id""",
    "email_event_open": """
        select 'ev' || n as id, 'Chrome' as browser, device_type as user_agent,
            duration_seconds * 1000 as duration, {synced} as _fivetran_synced
        from g_events where event_type = 'email_open' order by id""",
    "email_event_click": """
        select 'ev' || n as id, 'https://www.example.com' || coalesce(page_path,
                case n % 3 when 0 then '/pricing' when 1 then '/blog/lead-scoring' else '/' end)
            || '?utm_source=email' as url, null as referer, {synced} as _fivetran_synced
        from g_events where event_type = 'email_click' order by id""",
    "email_event_bounce": """
        select 'ev' || n as id, 'HARD_BOUNCE' as category, '550 unknown user' as response,
            '5.1.1' as status, {synced} as _fivetran_synced
        from g_events where event_type = 'email_bounce' order by id""",
    "email_event_status_change": """
        select 'ev' || n as id, 'UNSUBSCRIBED' as portal_subscription_status,
            'RECIPIENT' as requested_by, 'SOURCE_UNSUBSCRIBE_LINK' as source,
            false as bounced, {synced} as _fivetran_synced
        from g_events where event_type = 'unsubscribe' order by id""",
    "engagement": """
        select 500000000 + n as id, type, 42 as portal_id, {synced} as _fivetran_synced
        from g_acts
        union all  -- the rep's note after each call: dropped by seed crm_activity_types
        select 600000000 + n, 'NOTE', 42, {synced} from g_acts where type = 'CALL'
        union all  -- a call deleted in HubSpot: never an event
        select 700000000 + n, 'CALL', 42, {synced}
        from g_acts where type = 'CALL' and n % 10 = 1
        union all  -- a follow-up task still to do: not an action of the lead
        select 800000000 + n, 'TASK', 42, {synced}
        from g_acts where type = 'CALL' and n % 5 = 0
        order by id""",
    "engagement_call": """
        select 500000000 + n as engagement_id, false as _fivetran_deleted,
            {synced} as _fivetran_synced, occurred as property_hs_createdate,
            occurred as property_hs_timestamp, 'COMPLETED' as property_hs_call_status,
            cast(duration_seconds * 1000 as bigint) as property_hs_call_duration,
            'CALL' as type
        from g_acts where type = 'CALL'
        union all
        select 700000000 + n, true, {synced}, occurred, occurred, 'COMPLETED', null, 'CALL'
        from g_acts where type = 'CALL' and n % 10 = 1
        order by engagement_id""",
    "engagement_meeting": """
        select 500000000 + n as engagement_id, false as _fivetran_deleted,
            {synced} as _fivetran_synced, occurred as property_hs_createdate,
            occurred as property_hs_timestamp, occurred as property_hs_meeting_start_time,
            occurred + interval 30 minute as property_hs_meeting_end_time,
            'COMPLETED' as property_hs_meeting_outcome, 'MEETING' as type
        from g_acts where type = 'MEETING' order by engagement_id""",
    "engagement_email": """
        select 500000000 + n as engagement_id, false as _fivetran_deleted,
            {synced} as _fivetran_synced, occurred as property_hs_createdate,
            occurred as property_hs_timestamp, 'Re: pricing' as property_hs_email_subject,
            'INCOMING_EMAIL' as property_hs_email_direction, 'INCOMING_EMAIL' as type
        from g_acts where type = 'INCOMING_EMAIL' order by engagement_id""",
    "engagement_note": """
        select 600000000 + n as engagement_id, false as _fivetran_deleted,
            {synced} as _fivetran_synced, occurred + interval 5 minute as property_hs_createdate,
            occurred + interval 5 minute as property_hs_timestamp,
            'Call notes' as property_hs_note_body, 'NOTE' as type
        from g_acts where type = 'CALL' order by engagement_id""",
    "engagement_task": """
        select 800000000 + n as engagement_id, false as _fivetran_deleted,
            {synced} as _fivetran_synced, occurred as property_hs_createdate,
            occurred + interval 7 day as property_hs_timestamp,
            'NOT_STARTED' as property_hs_task_status, 'CALL' as property_hs_task_type,
            'TASK' as type
        from g_acts where type = 'CALL' and n % 5 = 0 order by engagement_id""",
    "engagement_contact": """
        select e.id as engagement_id, 100000 + l.n as contact_id, e.type as engagement_type,
            {synced} as _fivetran_synced
        from (
            select 500000000 + n as id, lead_id, type from g_acts
            union all
            select 600000000 + n, lead_id, 'NOTE' from g_acts where type = 'CALL'
            union all
            select 700000000 + n, lead_id, 'CALL' from g_acts
            where type = 'CALL' and n % 10 = 1
            union all
            select 800000000 + n, lead_id, 'TASK' from g_acts
            where type = 'CALL' and n % 5 = 0
        ) as e
        join g_leads as l using (lead_id)
        order by engagement_id""",
    "contact_form_submission": """
        select 100000 + l.n as contact_id, 'conv-' || e.n as conversion_id,
            case e.event_type when 'demo_request' then 'f-demo'
                when 'content_download' then 'f-ebook' else 'f-contact' end as form_id,
            case when e.page_path is null then 'Contact | Example'
                else 'Example | ' || e.page_path end as title,
            e.occurred as timestamp,
            'https://www.example.com' || coalesce(e.page_path, '/contact') as page_url,
            'page-' || coalesce(e.page_path, 'contact') as page_id, 42 as portal_id,
            {synced} as _fivetran_synced
        from g_events as e join g_leads as l using (lead_id)
        where e.event_type in ('form_submit', 'demo_request', 'content_download')
        order by conversion_id""",
    "form": """
        select * from (values
            ('f-demo', 'Request a demo', 'HUBSPOT', 42, false, {synced}),
            ('f-ebook', 'Download the buyer''s guide (ebook)', 'HUBSPOT', 42, false, {synced}),
            ('f-contact', 'Contact us', 'HUBSPOT', 42, false, {synced})
        ) as t(guid, name, form_type, portal_id, _fivetran_deleted, _fivetran_synced)""",
    "deal": """
        select 300000 + n as deal_id, 'default' as deal_pipeline_id,
            case when closed is null then 'qualifiedtobuy'
                when is_won then 'closedwon' else 'closedlost' end as deal_pipeline_stage_id,
            5001 as owner_id, 42 as portal_id, false as is_deleted,
            false as _fivetran_deleted, {synced} as _fivetran_synced,
            'Deal ' || opportunity_id as property_dealname, amount as property_amount,
            created as property_createdate,
            coalesce(closed, created + interval 60 day) as property_closedate
        from g_opps
        union all  -- a deal deleted in HubSpot: never an opportunity
        select 399999, 'default', 'closedwon', 5001, 42, true, false, {synced},
            'Deleted deal', 1000, timestamp '2026-01-05', timestamp '2026-02-01'
        order by deal_id""",
    "deal_stage": """
        select 300000 + n as deal_id, 'appointmentscheduled' as value, created as date_entered,
            'CRM_UI' as source, null as source_id, closed is null as _fivetran_active,
            created as _fivetran_start,
            coalesce(closed, timestamp '9999-12-31') as _fivetran_end,
            {synced} as _fivetran_synced
        from g_opps
        union all
        select 300000 + n, case when is_won then 'closedwon' else 'closedlost' end, closed,
            'CRM_UI', null, true, closed, timestamp '9999-12-31', {synced}
        from g_opps where closed is not null
        order by deal_id, date_entered""",
    "deal_pipeline_stage": """
        select * from (values
            ('appointmentscheduled', 'default', 'Appointment scheduled', 0.2, false, 0),
            ('qualifiedtobuy', 'default', 'Qualified to buy', 0.4, false, 1),
            ('contractsent', 'default', 'Contract sent', 0.9, false, 2),
            ('closedwon', 'default', 'Closed won', 1.0, true, 3),
            ('closedlost', 'default', 'Closed lost', 0.0, false, 4)
        ) as t(stage_id, pipeline_id, label, probability, closed_won, display_order)""",
    "deal_contact": """
        select 300000 + o.n as deal_id, 100000 + l.n as contact_id,
            {synced} as _fivetran_synced
        from g_opps as o join g_leads as l using (lead_id)
        union  -- a colleague at the same company, known before the deal: several contacts
        select 300000 + o.n, 100000 + min(c.n), {synced}
        from g_opps as o
        join g_leads as l using (lead_id)
        join g_leads as c
            on c.account_id = l.account_id and c.lead_id != l.lead_id
            and c.lead_id = c.survivor and not c.is_deleted and c.created < o.created
        where o.n % 4 = 0
        group by o.n
        order by deal_id, contact_id""",
    "deal_company": """
        select 300000 + o.n as deal_id, 200000 + num(o.account_id) as company_id,
            {synced} as _fivetran_synced
        from g_opps as o order by deal_id""",
}

_SALESFORCE_BASE = """
create table sf_leads as
    with firsts as (
        select lead_id,
            min(changed) filter (where stage = 'mql') as mql_at,
            min(changed) filter (where stage in ('sql', 'opportunity', 'customer'))
                as converted_at,
            min(changed) filter (where stage = 'opportunity') as opportunity_at,
            min(changed) filter (where stage = 'customer') as won_at,
            min(changed) filter (where stage = 'disqualified') as disqualified_at
        from g_stages group by lead_id
    )
    select l.*, f.mql_at, f.converted_at, f.opportunity_at, f.won_at, f.disqualified_at,
        '00Q' || lpad(cast(l.n as varchar), 15, '0') as sf_id,
        '003' || lpad(cast(l.n as varchar), 15, '0') as contact_id,
        '006' || lpad(cast(l.n as varchar), 15, '0') as opp_id,
        '001' || lpad(cast(num(l.account_id) as varchar), 15, '0') as acct_id,
        f.converted_at is not null and l.lead_id = l.survivor and not l.is_deleted
            as converted
    from g_leads as l left join firsts as f using (lead_id);
"""

_SALESFORCE = {
    "lead": """
        select l.sf_id as id,
            l.is_deleted or l.lead_id != l.survivor as is_deleted,
            case when l.lead_id != l.survivor then
                '00Q' || lpad(cast(num(l.survivor) as varchar), 15, '0') end as master_record_id,
            false as _fivetran_deleted, true as _fivetran_active, {synced} as _fivetran_synced,
            split_part(l.email, '.', 1) as first_name,
            regexp_extract(l.email, '^[a-z]+\\.([a-z]+)', 1) as last_name,
            l.email, l.job_title as title, l.company_name as company,
            'https://www.' || l.company_domain || '/' as website,
            a.industry, a.employee_count as number_of_employees, a.annual_revenue,
            l.country, l.lead_source,
            case
                when l.converted then 'Closed - Converted'
                when l.disqualified_at is not null then 'Closed - Not Converted'
                when l.mql_at is not null then 'Working - Contacted'
                else 'Open - Not Contacted'
            end as status,
            l.created as created_date, l.updated as last_modified_date,
            '005' || lpad(cast(num(l.owner_id) as varchar), 15, '0') as owner_id,
            case when l.email_bounced then l.created + interval 2 day end as email_bounced_date,
            case when l.email_bounced then '550 5.1.1 user unknown' end as email_bounced_reason,
            l.unsubscribed as has_opted_out_of_email,
            l.converted as is_converted,
            case when l.converted then cast(cast(l.converted_at as date) as timestamp)
                end as converted_date,
            case when l.converted then l.contact_id end as converted_contact_id,
            case when l.converted then l.acct_id end as converted_account_id,
            case when l.converted then l.opp_id end as converted_opportunity_id,
            l.budget_range as budget_range_c, l.purchase_timeline as purchase_timeline_c,
            l.stated_need as stated_need_c
        from sf_leads as l left join g_accounts as a using (account_id)
        union all  -- history mode: an older version of a lead, inactive
        select '00Q' || lpad(cast(n as varchar), 15, '0'), false, null, false, false, {synced},
            null, null, 'old.' || email, null, null, null, null, null, null, null, null,
            'Unqualified', created, created, null, null, null, null, false, null, null, null,
            null, null, null, null
        from g_leads where n % 50 = 7
        order by id, _fivetran_active""",
    "contact": """
        select l.contact_id as id, false as is_deleted, false as _fivetran_deleted,
            true as _fivetran_active, {synced} as _fivetran_synced, l.acct_id as account_id,
            l.email, l.job_title as title, l.lead_source, l.converted_at as created_date,
            l.converted_at as last_modified_date,
            '005' || lpad(cast(num(l.owner_id) as varchar), 15, '0') as owner_id
        from sf_leads as l where l.converted order by id""",
    "account": """
        select distinct l.acct_id as id, false as is_deleted, false as _fivetran_deleted,
            true as _fivetran_active, {synced} as _fivetran_synced, a.company_name as name,
            'https://' || a.domain as website, a.industry,
            a.employee_count as number_of_employees, a.annual_revenue,
            a.country as billing_country, 'Customer' as type
        from sf_leads as l join g_accounts as a using (account_id)
        where l.converted order by id""",
    "opportunity": """
        select l.opp_id as id, false as is_deleted, false as _fivetran_deleted,
            true as _fivetran_active, {synced} as _fivetran_synced, l.acct_id as account_id,
            'Opportunity ' || l.company_name as name,
            case when l.won_at is not null then 'Closed Won'
                when l.disqualified_at > l.converted_at then 'Closed Lost'
                else 'Prospecting' end as stage_name,
            coalesce(o.amount, 10000) as amount,
            coalesce(l.opportunity_at, l.converted_at) as created_date,
            coalesce(l.won_at, case when l.disqualified_at > l.converted_at
                then l.disqualified_at end, l.converted_at + interval 90 day) as close_date,
            l.won_at is not null or l.disqualified_at > l.converted_at as is_closed,
            l.won_at is not null as is_won, l.lead_source
        from sf_leads as l
        left join (select lead_id, max(amount) as amount from g_opps group by 1) as o
            using (lead_id)
        where l.converted order by id""",
    "opportunity_history": """
        select l.opp_id || '-1' as id, l.opp_id as opportunity_id, 'Prospecting' as stage_name,
            coalesce(l.opportunity_at, l.converted_at) as created_date, false as is_deleted,
            {synced} as _fivetran_synced
        from sf_leads as l where l.converted
        union all
        select l.opp_id || '-2', l.opp_id,
            case when l.won_at is not null then 'Closed Won' else 'Closed Lost' end,
            coalesce(l.won_at, l.disqualified_at), false, {synced}
        from sf_leads as l
        where l.converted and (l.won_at is not null or l.disqualified_at > l.converted_at)
        order by id""",
    "task": """
        with calls as (
            select e.n, e.occurred, e.duration_seconds, e.event_type,
                case when l.converted and e.occurred >= l.converted_at then l.contact_id
                    else l.sf_id end as who_id
            from g_events as e join sf_leads as l using (lead_id)
            where e.event_type in ('sales_call', 'email_reply')
        )
        select '00T' || lpad(cast(n as varchar), 15, '0') as id, who_id,
            case when event_type = 'sales_call' then 'Call' else 'Email' end as type,
            case when event_type = 'sales_call' then 'Call' else 'Email' end as task_subtype,
            case when event_type = 'sales_call' then 'Call' else 'Email: Re: pricing' end
                as subject,
            'Completed' as status, true as is_closed, occurred as completed_date_time,
            occurred as created_date, cast(occurred as date) as activity_date,
            case when event_type = 'sales_call' then duration_seconds end
                as call_duration_in_seconds,
            false as is_deleted, false as _fivetran_deleted, true as _fivetran_active,
            {synced} as _fivetran_synced
        from calls
        union all  -- a follow-up still to do: not an event until it is done
        select '00U' || lpad(cast(n as varchar), 15, '0'), who_id, 'Call', 'Call', 'Call back',
            'Not Started', false, null, occurred, cast(occurred + interval 7 day as date),
            null, false, false, true, {synced}
        from calls where n % 5 = 0
        union all  -- a deleted call
        select '00V' || lpad(cast(n as varchar), 15, '0'), who_id, 'Call', 'Call', 'Call',
            'Completed', true, occurred, occurred, cast(occurred as date), 60, true, false,
            true, {synced}
        from calls where n % 7 = 0
        order by id""",
    "event": """
        select '00E' || lpad(cast(e.n as varchar), 15, '0') as id,
            case when l.converted and e.occurred >= l.converted_at then l.contact_id
                else l.sf_id end as who_id,
            'Demo' as type, 'Event' as event_subtype, 'Product demo' as subject,
            e.occurred as start_date_time, e.occurred as activity_date_time,
            e.occurred + interval 30 minute as end_date_time,
            false as is_deleted, false as _fivetran_deleted, true as _fivetran_active,
            {synced} as _fivetran_synced
        from g_events as e join sf_leads as l using (lead_id)
        where e.event_type = 'demo_request' order by id""",
    "lead_history": """
        with changes as (
            select sf_id, 'created' as field, null as old_value, null as new_value,
                created as changed_at from sf_leads where created is not null
            union all
            select sf_id, 'Status', 'Open - Not Contacted', 'Working - Contacted', mql_at
            from sf_leads where mql_at is not null
            union all
            select sf_id, 'Status', null, 'Closed - Not Converted', disqualified_at
            from sf_leads
            where disqualified_at is not null
                and (converted_at is null or disqualified_at < converted_at)
            union all
            select sf_id, 'Status', null, 'Closed - Converted', converted_at
            from sf_leads where converted
            union all
            select sf_id, 'leadConverted', null, null, converted_at from sf_leads where converted
        )
        select sf_id || '-' || field || '-' || cast(epoch(changed_at) as bigint) as id,
            sf_id as lead_id, field, old_value, new_value, changed_at as created_date,
            'Text' as data_type, false as is_deleted, {synced} as _fivetran_synced
        from changes order by id""",
}


def connector_tables(crm: str, raw: Path) -> dict[str, duckdb.DuckDBPyRelation]:
    """The connector's tables built from the generated export in `raw`."""
    if crm not in CRMS:
        raise ValueError(f"crm must be one of {CRMS}, got {crm!r}")
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(_PARSE.replace("{raw}", Path(raw).as_posix().replace("'", "''")))
    queries = _HUBSPOT
    if crm == "salesforce":
        con.execute(_SALESFORCE_BASE)
        queries = _SALESFORCE
    return {name: con.sql(sql.replace("{synced}", SYNCED_AT)) for name, sql in queries.items()}


def load_tables(
    crm: str, raw: Path, db: Path, schema: str | None = None, omit: Iterable[str] = ()
) -> dict[str, int]:
    """Write the connector's tables into `schema` (default: the crm's name) of DuckDB
    file `db`, replacing that schema; tables in `omit` are left out. Row counts."""
    schema = schema or crm
    omit = set(omit)
    tables = connector_tables(crm, raw)
    unknown = omit - set(tables)
    if unknown:
        raise ValueError(f"not {crm} tables: {sorted(unknown)}")
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, rel in tables.items():
            if name not in omit:
                rel.write_parquet(f"{tmp}/{name}.parquet")
        out = duckdb.connect(str(db))
        try:
            quoted = quote_identifier(schema)
            out.execute(f"drop schema if exists {quoted} cascade")
            out.execute(f"create schema {quoted}")
            for name in tables:
                if name in omit:
                    continue
                table = f"{quoted}.{quote_identifier(name)}"
                files = sql_string(f"{tmp}/{name}.parquet")
                out.execute(f"create table {table} as select * from read_parquet({files})")
                counts[name] = out.sql(f"select count(*) from {table}").fetchall()[0][0]
        finally:
            out.close()
    return counts


def generate_connector(
    crm: str,
    cfg: GeneratorConfig,
    db: Path,
    schema: str | None = None,
    omit: Iterable[str] = (),
) -> dict[str, int]:
    """Generate a clean demo CRM (duplicates, deletions, bounces and unsubscribes kept:
    the connector has them too) and load it as the connector's tables."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        generate(cfg, raw, log=lambda _: None)
        return load_tables(crm, raw, db, schema, omit)


def fixture_config(n_leads: int, seed: int, events_per_lead: float = 20.0) -> GeneratorConfig:
    """The generator's settings for connector fixtures: none of the export mess a
    connector cannot produce (bad timestamps, unknown ids and types, future events)."""
    return GeneratorConfig(
        n_leads=n_leads,
        seed=seed,
        events_per_lead=events_per_lead,
        unknown_lead_event_rate=0,
        future_event_rate=0,
        bad_duration_rate=0,
        unknown_event_type_rate=0,
        unparseable_timestamp_rate=0,
    )
