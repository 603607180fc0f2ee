{#- Parse a timestamp exported in any of the formats CRMs produce, to UTC.
    ISO 8601 with or without 'T', fractional seconds, 'Z' or a +hh:mm offset; US
    month/day/year; Unix epoch seconds. Unparseable text gives null (staging keeps
    the raw text so intermediate models can quarantine the row with a reason). -#}
{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'leadscore')(column)) }}
{%- endmacro %}

{% macro default__parse_timestamp(column) -%}
    {{ dbt.safe_cast(column, dbt.type_timestamp()) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp(column) -%}
    {%- set text -%}trim(cast({{ column }} as varchar)){%- endset -%}
    case
        {#- the canonical 'YYYY-MM-DD HH:MM:SS' (most rows) skips the regular expressions #}
        when
            length({{ text }}) = 19
            and substr({{ text }}, 5, 1) = '-'
            and substr({{ text }}, 11, 1) = ' '
            then try_cast({{ text }} as timestamp)
        when regexp_matches({{ text }}, '^[0-9]{9,10}$')
            then cast(to_timestamp(cast({{ text }} as bigint)) at time zone 'UTC' as timestamp)
        when regexp_matches({{ text }}, '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then cast(try_cast({{ text }} as timestamptz) at time zone 'UTC' as timestamp)
        else coalesce(
            try_cast({{ text }} as timestamp),
            try_strptime({{ text }}, [
                {%- for fmt in var('us_timestamp_formats', ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y']) -%}
                    '{{ fmt }}'{{ ", " if not loop.last }}
                {%- endfor -%}
            ])
        )
    end
{%- endmacro %}
