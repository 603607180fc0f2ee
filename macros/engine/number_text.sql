{#- The text of a raw value that may be a number (the *_raw columns staging keeps for
    the data-quality counts), as DuckDB writes it. Spark writes a double of 10^7 or more
    in scientific notation (1.26343E8 where DuckDB writes 126343000.0): that notation is
    rewritten as a plain decimal with at least one fractional digit. -#}
{% macro number_text(column) -%}
    {{ return(adapter.dispatch('number_text', 'leadscore')(column)) }}
{%- endmacro %}

{% macro default__number_text(column) -%}
    cast({{ column }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__number_text(column) -%}
    case
        when cast({{ column }} as string) rlike '^-?[0-9][.][0-9]+E-?[0-9]+$'
            then regexp_replace(regexp_replace(
                cast(try_cast(cast({{ column }} as string) as decimal(38, 9)) as string), '0+$', ''), '[.]$', '.0')
        else cast({{ column }} as string)
    end
{%- endmacro %}
