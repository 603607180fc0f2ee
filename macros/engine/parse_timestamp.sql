{#- Spark variant of parse_timestamp (macros/parse_timestamp.sql): the same shapes,
    read the same way (session time zone UTC, as the spark target sets it):
    - ISO text, with or without 'T', 'Z' or a +hh:mm offset: try_cast (an offset is
      converted to UTC);
    - US month/day/year (var us_timestamp_formats, strptime codes translated to
      Spark's datetime patterns): try_to_timestamp;
    - epoch seconds (9-10 digits): timestamp_seconds;
    - a local time followed by a zone name: an abbreviation of var
      time_zone_abbreviations (its offset) or an IANA name; an unknown name is null.
    Spark reads a backslash in a string literal as an escape: the patterns double them. -#}
{% macro spark__parse_timestamp(column) -%}
    {%- set raw -%}cast({{ column }} as string){%- endset -%}
    {%- set text -%}trim({{ raw }}){%- endset -%}
    case
        when {{ is_canonical_timestamp(raw) }}
            then try_cast({{ raw }} as timestamp)
        when {{ raw }} like '____-__-__T__:__:__Z'
            or {{ raw }} like '____-__-__T__:__:__+__:__' or {{ raw }} like '____-__-__T__:__:__-__:__'
            then try_cast({{ raw }} as timestamp)
        when {{ raw }} like '__/__/____ __:__:__'
            then try_to_timestamp({{ raw }}, 'MM/dd/yyyy HH:mm:ss')
        when regexp_like({{ text }}, '^[0-9]{9,10}$')
            then timestamp_seconds(cast({{ text }} as bigint))
        when regexp_like({{ text }}, '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then {{ spark_offset_timestamp(text) }}
        when regexp_like({{ text }}, '\\s[A-Za-z][A-Za-z0-9_/+-]*$')
            then {{ spark_zoned_timestamp(text) }}
        else {{ spark_naive_timestamp(text) }}
    end
{%- endmacro %}


{#- strptime codes (var us_timestamp_formats) as Spark datetime patterns; one letter
    per field, so that a number without its leading zero is read as DuckDB reads it. -#}
{% macro spark_datetime_pattern(fmt) -%}
    {%- set codes = {'%Y': 'yyyy', '%m': 'M', '%d': 'd', '%H': 'H', '%M': 'm', '%S': 's', '%y': 'yy',
                     '%I': 'h', '%p': 'a', '%f': 'SSSSSS', '%b': 'MMM', '%B': 'MMMM'} -%}
    {%- set out = namespace(text=fmt | string) -%}
    {%- for code, pattern in codes.items() -%}
        {%- set out.text = out.text | replace(code, pattern) -%}
    {%- endfor -%}
    {{ return(out.text) }}
{%- endmacro %}


{% macro spark_naive_timestamp(text) -%}
    coalesce(
        try_cast({{ text }} as timestamp)
        {%- for fmt in us_timestamp_formats() %},
        try_to_timestamp({{ text }}, '{{ spark_datetime_pattern(fmt) }}')
        {%- endfor %}
    )
{%- endmacro %}


{#- A time with a UTC offset or 'Z' at its end ('+02', '+0200', '+02:00'): Spark's
    cast reads each as DuckDB's timestamptz cast does. -#}
{% macro spark_offset_timestamp(text) -%}
    try_cast({{ text }} as timestamp)
{%- endmacro %}


{% macro spark_zoned_timestamp(text) -%}
    {%- set pattern = '\\\\s+([A-Za-z][A-Za-z0-9_/+-]*)$' -%}
    {%- set zone -%}regexp_extract({{ text }}, '{{ pattern }}', 1){%- endset -%}
    {%- set local -%}
        date_format({{ spark_naive_timestamp("regexp_replace(" ~ text ~ ", '" ~ pattern ~ "', '')") }}, 'yyyy-MM-dd HH:mm:ss.SSSSSS')
    {%- endset -%}
    {%- set abbreviations = var('time_zone_abbreviations', {}) -%}
    {%- set entries = [] -%}
    {%- for name, offset in abbreviations.items() -%}
        {%- if not modules.re.match('^[A-Za-z]+$', name | string) or not modules.re.match('^[+-][0-9]{2}:[0-9]{2}$', offset | string) -%}
            {{ exceptions.raise_compiler_error("var time_zone_abbreviations: '" ~ name ~ "' must map a name of letters to an offset like +02:00 (got '" ~ offset ~ "')") }}
        {%- endif -%}
        {%- do entries.append("'" ~ name | upper ~ "', '" ~ offset ~ "'") -%}
    {%- endfor -%}
    try_cast(concat(
        {{ local }},
        coalesce(
            {%- if entries %}
            try_element_at(map({{ entries | join(', ') }}), upper({{ zone }})),
            {%- endif %}
            concat(' ', {{ zone }})
        )
    ) as timestamp)
{%- endmacro %}
