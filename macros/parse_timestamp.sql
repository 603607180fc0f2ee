{#- Parse a timestamp exported in any of the formats CRMs produce, to UTC.
    ISO 8601 with or without 'T', fractional seconds, 'Z' or a +hh:mm offset; US
    month/day/year; Unix epoch seconds; a local time followed by a zone name: an
    abbreviation of var time_zone_abbreviations ('CEST', 'PST': its fixed offset) or an
    IANA name ('America/New_York': DuckDB's ICU zone database, daylight saving
    included). Unparseable text, and a zone name that is neither, gives null (staging
    keeps the raw text so intermediate models can quarantine the row with a reason):
    the zone is never dropped. -#}
{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'leadscore')(column)) }}
{%- endmacro %}

{% macro default__parse_timestamp(column) -%}
    {{ dbt.safe_cast(column, dbt.type_timestamp()) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp(column) -%}
    {%- set raw -%}cast({{ column }} as varchar){%- endset -%}
    {%- set text -%}trim({{ raw }}){%- endset -%}
    case
        {#- The usual exact shapes are recognised by LIKE patterns, without the
            trim and the regular expressions (they cost most of the time at 50M events):
            'YYYY-MM-DD HH:MM:SS', 'YYYY-MM-DDTHH:MM:SSZ', 'YYYY-MM-DDTHH:MM:SS+hh:mm',
            'MM/DD/YYYY HH:MM:SS' and 10-digit epoch seconds. #}
        when {{ is_canonical_timestamp(raw) }}
            then try_cast({{ raw }} as timestamp)
        when {{ raw }} like '____-__-__T__:__:__Z'
            then try_cast({{ raw }} as timestamp)
        when {{ raw }} like '____-__-__T__:__:__+__:__' or {{ raw }} like '____-__-__T__:__:__-__:__'
            then cast(try_cast({{ raw }} as timestamptz) at time zone 'UTC' as timestamp)
        when {{ raw }} like '__/__/____ __:__:__'
            then try_strptime({{ raw }}, '%m/%d/%Y %H:%M:%S')
        when {{ raw }} like '1_________' and regexp_matches({{ raw }}, '^[0-9]{10}$')
            then cast(to_timestamp(cast({{ raw }} as bigint)) at time zone 'UTC' as timestamp)
        when regexp_matches({{ text }}, '^[0-9]{9,10}$')
            then cast(to_timestamp(cast({{ text }} as bigint)) at time zone 'UTC' as timestamp)
        when regexp_matches({{ text }}, '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then cast(try_cast({{ text }} as timestamptz) at time zone 'UTC' as timestamp)
        when regexp_matches({{ text }}, '\s[A-Za-z][A-Za-z0-9_/+-]*$')
            then {{ zoned_timestamp(text) }}
        else {{ naive_timestamp(text) }}
    end
{%- endmacro %}


{#- The formats of timestamps without a zone tried after the ISO form (var
    us_timestamp_formats; US month-first by default). -#}
{% macro us_timestamp_formats() -%}
    {{ return(var('us_timestamp_formats', ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y'])) }}
{%- endmacro %}


{#- Helpers of duckdb__parse_timestamp. -#}
{% macro naive_timestamp(text) -%}
    coalesce(
        try_cast({{ text }} as timestamp),
        try_strptime({{ text }}, [
            {%- for fmt in us_timestamp_formats() -%}
                '{{ fmt }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        ])
    )
{%- endmacro %}

{% macro zoned_timestamp(text) -%}
    {%- set pattern = '\\s+([A-Za-z][A-Za-z0-9_/+-]*)$' -%}
    {%- set zone -%}regexp_extract({{ text }}, '{{ pattern }}', 1){%- endset -%}
    {%- set local -%}
        strftime({{ naive_timestamp("regexp_replace(" ~ text ~ ", '" ~ pattern ~ "', '')") }}, '%Y-%m-%d %H:%M:%S.%f')
    {%- endset -%}
    {%- set abbreviations = var('time_zone_abbreviations', {}) -%}
    cast(try_cast(
        {{ local }} || case upper({{ zone }})
            {%- for name, offset in abbreviations.items() %}
            {%- if not modules.re.match('^[A-Za-z]+$', name | string) or not modules.re.match('^[+-][0-9]{2}:[0-9]{2}$', offset | string) %}
                {{ exceptions.raise_compiler_error("var time_zone_abbreviations: '" ~ name ~ "' must map a name of letters to an offset like +02:00 (got '" ~ offset ~ "')") }}
            {%- endif %}
            when '{{ name | upper }}' then '{{ offset }}'
            {%- endfor %}
            else ' ' || {{ zone }}
        end
        as timestamptz
    ) at time zone 'UTC' as timestamp)
{%- endmacro %}
