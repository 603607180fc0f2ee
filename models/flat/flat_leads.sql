{#- The lead attributes lead_scores reads in flat mode, one row per lead: a flat
    export has no e-mail, owner or channel mapping, so they are null. -#}
with

examples as (
    select * from {{ ref('flat_examples') }}
),

final as (
    select
        lead_id,
        cast(null as varchar) as email,
        cast(null as varchar) as owner_id,
        cast(null as varchar) as channel,
        cast(null as boolean) as is_email_bounced,
        cast(null as boolean) as is_unsubscribed
    from examples
)

select * from final
