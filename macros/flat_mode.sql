{#- Flat mode: score a flat lead export (one row per lead with a converted column)
    instead of the CRM tables. On when var flat_file (a CSV path or glob) or var
    flat_table (a table or view the warehouse can read) is set. -#}
{% macro is_flat_mode() -%}
    {%- set flat = not not (var('flat_file', none) or var('flat_table', none)) -%}
    {%- if flat and target.type != 'duckdb' -%}
        {#- the flat export is read with DuckDB's read_csv / read_blob and its SQL dialect -#}
        {{ exceptions.raise_compiler_error(
            "Flat mode (var flat_file / flat_table) runs on DuckDB only, not on the " ~ target.type
            ~ " target '" ~ target.name ~ "': build the flat export with the default DuckDB target, or load the leads "
            ~ "into the raw-data contract tables (var raw_data_path) to build on " ~ target.type ~ "."
        ) }}
    {%- endif -%}
    {{ return(flat) }}
{%- endmacro %}


{#- The export as text columns: read_csv with every column as varchar (types are
    inferred later, after placeholders are read as missing), or the table. The path is
    a SQL string literal (quotes escaped); a table name must be a plain or
    double-quoted (schema.)name. -#}
{% macro flat_source_relation() -%}
    {%- if var('flat_file', none) -%}
        read_csv({{ var_string('flat_file') }}, all_varchar = true, header = true, encoding = {{ sql_string(flat_file_encoding()) }})
    {%- else -%}
        {%- set table = var('flat_table') | string -%}
        {%- set part = '([A-Za-z_][A-Za-z0-9_$]*|"([^"]|"")+")' -%}
        {%- if not modules.re.match('^' ~ part ~ '(\\.' ~ part ~ '){0,2}$', table) -%}
            {{ exceptions.raise_compiler_error(
                "var flat_table = " ~ tojson(table) ~ ": expected a table or view name such as main.lead_export "
                ~ "(letters, digits and _, or double-quoted parts)"
            ) }}
        {%- endif -%}
        {{ table }}
    {%- endif -%}
{%- endmacro %}


{% macro flat_file_encoding() -%}
    {%- set encoding = var('flat_file_encoding', 'utf-8') | string | lower -%}
    {%- if encoding not in ('utf-8', 'utf-16', 'latin-1') -%}
        {{ exceptions.raise_compiler_error(
            "var flat_file_encoding = " ~ tojson(encoding) ~ ": expected utf-8, utf-16 or latin-1"
        ) }}
    {%- endif -%}
    {{ return(encoding) }}
{%- endmacro %}


{#- The rules leadscore.flat (python/leadscore/flat/) reads the export with, for the
    pre-flight to apply them before any model runs: its DATE_FORMATS (tried in this
    order, the format reading the most values wins, ties: first), PARSE_SHARE, and the
    label words TRUE_VALUES / FALSE_VALUES. test_flat.py pins them to the Python
    constants. Placeholders are var flat_missing_values for both. -#}
{% macro flat_rules() -%}
    {{ return({
        'date_formats': ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d',
                         '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y',
                         '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y',
                         '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y', '%d.%m.%Y'],
        'parse_share': 0.95,
        'true_values': ['yes', 'y', 'true', 't', '1', '1.0'],
        'false_values': ['no', 'n', 'false', 'f', '0', '0.0'],
    }) }}
{%- endmacro %}


{#- A cell as leadscore.flat.clean_text reads it: text with surrounding white space
    (Unicode, as Python's strip) removed, empty -> null. -#}
{% macro flat_cell(column) -%}
    nullif(regexp_replace(cast({{ quote_identifier(column) }} as varchar), '^[\s\x0b\x{85}\p{Z}]+|[\s\x0b\x{85}\p{Z}]+$', '', 'g'), '')
{%- endmacro %}


{#- Pre-flight of flat mode (on-run-start of build/run): stop before any model runs,
    saying what to fix, when the file is missing, empty, not in the encoding of var
    flat_file_encoding or wider than var flat_max_columns, a named column is absent,
    the label holds something other than yes/no, 1/0, true/false (case-insensitive;
    empty = open lead), the id column has blanks, placeholders or duplicates (after
    trimming), the labelled leads are all of one class, or the created-at column is
    not a date in one format. The cell rules are those of leadscore.flat (flat_rules,
    flat_cell, var flat_missing_values), so an export that passes here does not stop
    in a Python model. -#}
{% macro validate_flat_source() %}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- set rules = flat_rules() -%}
    {%- set source_name = var('flat_file', none) or var('flat_table') -%}
    {%- set relation = flat_source_relation() -%}
    {%- set max_columns = var('flat_max_columns', 2000) | int -%}
    {%- if var('flat_file', none) -%}
        {%- set path = var('flat_file') -%}
        {%- set found = run_query("select count(*), coalesce(sum(size), 0) from read_blob(" ~ sql_string(path) ~ ")") -%}
        {%- if found.rows[0][0] == 0 -%}
            {{ flat_stop(source_name, ['no file matches ' ~ path ~ ' (set var flat_file to the path of the CSV export)']) }}
        {%- endif -%}
        {%- if found.rows[0][1] == 0 -%}
            {{ flat_stop(source_name, ['the file is empty: export the leads as CSV with a header row (id, label and attribute columns) and one row per lead']) }}
        {%- endif -%}
        {%- if flat_file_encoding() == 'utf-8' -%}
            {%- set not_utf8 = run_query("select count(*) from read_blob(" ~ sql_string(path) ~ ") where try(decode(content)) is null") -%}
            {%- if not_utf8.rows[0][0] > 0 -%}
                {{ flat_stop(source_name, ['the file is not UTF-8 text (an export from Excel or an older CRM is often latin-1): '
                    ~ 'save it as UTF-8, or set var flat_file_encoding to latin-1 (or utf-16)']) }}
            {%- endif -%}
        {%- endif -%}
        {#- the header line alone (a 50,000-column export takes minutes to sniff) -#}
        {%- set header = run_query(
            "select greatest(len(string_split(line, ',')), len(string_split(line, ';')), len(string_split(line, chr(9))), "
            ~ "len(string_split(line, '|'))) from read_csv(" ~ sql_string(path) ~ ", header = false, columns = {'line': 'varchar'}, "
            ~ "delim = chr(1), quote = '', escape = '', max_line_size = 1000000000, encoding = " ~ sql_string(flat_file_encoding())
            ~ ") limit 1"
        ) -%}
        {%- if header.rows and header.rows[0][0] is not none and header.rows[0][0] > max_columns -%}
            {{ flat_stop(source_name, ['the header has ' ~ header.rows[0][0] ~ ' columns, more than var flat_max_columns ('
                ~ max_columns ~ '): export the id, the label and the lead attributes you want scored, or raise the limit']) }}
        {%- endif -%}
    {%- endif -%}
    {%- set described = run_query('describe select * from ' ~ relation) -%}
    {%- set columns = [] -%}
    {%- for row in described.rows -%}
        {%- do columns.append(row[0]) -%}
    {%- endfor -%}
    {%- if columns | length > max_columns -%}
        {{ flat_stop(source_name, ['the export has ' ~ columns | length ~ ' columns, more than var flat_max_columns ('
            ~ max_columns ~ '): export the id, the label and the lead attributes you want scored, or raise the limit']) }}
    {%- endif -%}
    {%- set resolved = {} -%}
    {%- set wanted = [('flat_id_column', var('flat_id_column', none)), ('flat_label_column', var('flat_label_column', none))] -%}
    {%- if var('flat_created_at_column', none) -%}
        {%- do wanted.append(('flat_created_at_column', var('flat_created_at_column'))) -%}
    {%- endif -%}
    {%- set excluded = var('flat_exclude_columns', []) or [] -%}
    {%- set excluded = [excluded] if excluded is string else excluded -%}
    {%- for name in excluded -%}
        {%- do wanted.append(('flat_exclude_columns', name)) -%}
    {%- endfor -%}
    {%- for setting, name in wanted -%}
        {%- set match = [] -%}
        {%- for column in columns -%}
            {%- if column == name or (name and column | trim | lower == name | trim | lower) -%}
                {%- do match.append(column) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not name -%}
            {%- do problems.append('var ' ~ setting ~ ' is not set: name the column that holds the '
                ~ ('lead id' if setting == 'flat_id_column' else 'converted flag (yes/no)')) -%}
        {%- elif not match -%}
            {%- do problems.append('no column "' ~ name ~ '" (var ' ~ setting ~ '); the columns are: '
                ~ columns | join(', ')) -%}
        {%- else -%}
            {%- do resolved.update({setting: match[0]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set attributes = [] -%}
    {%- for column in columns -%}
        {%- if column not in resolved.values() and column | trim | lower not in excluded | map('trim') | map('lower') | list -%}
            {%- do attributes.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not problems and not attributes -%}
        {%- do problems.append('the export has no attribute columns to learn from (only id, label, created-at and excluded columns): add the lead attributes (source, industry, visits, ...)') -%}
    {%- endif -%}
    {%- if problems -%}
        {{ flat_stop(source_name, problems) }}
    {%- endif -%}
    {%- set placeholders = [] -%}
    {%- for value in var('flat_missing_values') -%}
        {%- do placeholders.append(sql_string(value | trim | lower)) -%}
    {%- endfor -%}
    {%- set placeholders = placeholders or ["''"] -%}
    {%- set words = [] -%}
    {%- for value in rules.true_values + rules.false_values -%}
        {%- do words.append(sql_string(value)) -%}
    {%- endfor -%}
    {%- set truthy = [] -%}
    {%- for value in rules.true_values -%}
        {%- do truthy.append(sql_string(value)) -%}
    {%- endfor -%}
    {#- id and label as leadscore.flat.prepare reads them: trimmed, placeholders missing -#}
    {%- set cells = 'select ' ~ flat_cell(resolved['flat_id_column']) ~ ' as id_text, '
        ~ 'lower(' ~ flat_cell(resolved['flat_label_column']) ~ ') as label_text from ' ~ relation -%}
    {%- set read = 'select case when lower(id_text) in (' ~ placeholders | join(', ') ~ ') then null else id_text end as lead_id, '
        ~ 'id_text, case when label_text in (' ~ placeholders | join(', ') ~ ') then null else label_text end as label from (' ~ cells ~ ') as cells' -%}
    {%- set checks = run_query(
        'select count(*), count(*) filter (where lead_id is null), count(lead_id) - count(distinct lead_id), '
        ~ 'count(*) filter (where label in (' ~ truthy | join(', ') ~ ')), '
        ~ 'count(*) filter (where label is not null and label not in (' ~ truthy | join(', ') ~ ')), '
        ~ "string_agg(distinct '\"' || id_text || '\"', ', ' order by '\"' || id_text || '\"') filter (where lead_id is null and id_text is not null) "
        ~ 'from (' ~ read ~ ') as leads'
    ).rows[0] -%}
    {%- if checks[0] == 0 -%}
        {{ flat_stop(source_name, ['the export has a header but no rows: there is nothing to score']) }}
    {%- endif -%}
    {%- if checks[1] > 0 -%}
        {%- do problems.append(checks[1] ~ ' row(s) have no id in column "' ~ resolved['flat_id_column']
            ~ '" (empty' ~ ((', or a placeholder read as missing: ' ~ checks[5] ~ ' (var flat_missing_values)') if checks[5] else '')
            ~ '): every lead needs an id') -%}
    {%- endif -%}
    {%- if checks[2] > 0 -%}
        {%- set examples = run_query('select lead_id, string_agg(distinct \'"\' || raw_id || \'"\', \' and \' order by \'"\' || raw_id || \'"\') from (select lead_id, cast('
            ~ quote_identifier(resolved['flat_id_column']) ~ ' as varchar) as raw_id from (select *, ' ~ flat_cell(resolved['flat_id_column'])
            ~ ' as lead_id from ' ~ relation ~ ') as r) as ids where lead_id is not null group by 1 having count(*) > 1 order by 1 limit 3') -%}
        {%- set shown = [] -%}
        {%- for row in examples.rows -%}
            {%- do shown.append('"' ~ row[0] ~ '"' ~ ((' as ' ~ row[1]) if ' and ' in row[1] else '')) -%}
        {%- endfor -%}
        {%- do problems.append('the id column "' ~ resolved['flat_id_column'] ~ '" has duplicated values (e.g. '
            ~ shown | join(', ') ~ '): each lead must appear once (ids are compared without surrounding spaces); remove the duplicate rows or choose another id column') -%}
    {%- endif -%}
    {%- set unknown = run_query(
        'select distinct label from (' ~ read ~ ') as leads where label not in (' ~ words | join(', ') ~ ') order by 1 limit 6'
    ) -%}
    {%- if unknown.rows | length > 0 -%}
        {%- set shown = [] -%}
        {%- for row in unknown.rows -%}
            {%- do shown.append('"' ~ row[0] ~ '"') -%}
        {%- endfor -%}
        {%- do problems.append('the label column "' ~ resolved['flat_label_column'] ~ '" must say converted or not, but it also holds '
            ~ shown | join(', ') ~ ': use yes/no, 1/0 or true/false (any case) and leave the cell empty for open leads') -%}
    {%- elif checks[3] == 0 or checks[4] == 0 -%}
        {%- do problems.append('the label column "' ~ resolved['flat_label_column'] ~ '" has ' ~ checks[3] ~ ' converted and '
            ~ checks[4] ~ ' not converted leads: the history needs both') -%}
    {%- endif -%}
    {%- if not problems and resolved.get('flat_created_at_column') -%}
        {%- do problems.extend(flat_created_at_problems(relation, resolved['flat_created_at_column'], placeholders, rules)) -%}
    {%- endif -%}
    {%- if problems -%}
        {{ flat_stop(source_name, problems) }}
    {%- endif -%}
    {{ log('flat export ' ~ source_name ~ ': ' ~ checks[0] ~ ' leads, ' ~ checks[3] ~ ' converted, ' ~ checks[4]
        ~ ' not converted, ' ~ (checks[0] - checks[3] - checks[4]) ~ ' open (empty label)', info=True) }}
{% endmacro %}


{#- The created-at column as leadscore.flat.infer_column reads it: of the filled cells
    (placeholders are missing), a yes/no column or one where PARSE_SHARE parse as
    numbers is not a date; else the single date format that reads the most cells
    must read PARSE_SHARE of them (the rest become missing, counted in
    marts.flat_column_checks.unparseable_rows). -#}
{% macro flat_created_at_problems(relation, column, placeholders, rules) %}
    {%- set formats = rules.date_formats -%}
    {%- set parts = [] -%}
    {%- for fmt in formats -%}
        {%- do parts.append('count(try_strptime(v, ' ~ sql_string(fmt) ~ '))') -%}
    {%- endfor -%}
    {%- set any_format = [] -%}
    {%- for fmt in formats -%}
        {%- do any_format.append(sql_string(fmt)) -%}
    {%- endfor -%}
    {%- set word_list = [] -%}
    {%- for value in rules.true_values + rules.false_values if value not in ('1', '0', '1.0', '0.0') -%}
        {%- do word_list.append(sql_string(value)) -%}
    {%- endfor -%}
    {%- set row = run_query(
        'select count(*), count(*) filter (where lower(v) in (' ~ word_list | join(', ') ~ ')), count(try_cast(v as double)), '
        ~ 'min(v) filter (where try_strptime(v, [' ~ any_format | join(', ') ~ ']) is null), ' ~ parts | join(', ')
        ~ ' from (select ' ~ flat_cell(column) ~ ' as v from ' ~ relation ~ ') as cells where v is not null and lower(v) not in ('
        ~ placeholders | join(', ') ~ ')'
    ).rows[0] -%}
    {%- set filled = row[0] -%}
    {%- set counts = [] -%}
    {%- for i in range(formats | length) -%}
        {%- do counts.append(row[4 + i]) -%}
    {%- endfor -%}
    {%- set best = counts | max if counts else 0 -%}
    {%- set found = [] -%}
    {%- for i in range(formats | length) -%}
        {%- if counts[i] > 0 -%}
            {%- do found.append(formats[i] | replace('%Y', 'yyyy') | replace('%m', 'mm') | replace('%d', 'dd')
                | replace('%H', 'hh') | replace('%M', 'mi') | replace('%S', 'ss') ~ ': ' ~ counts[i]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set hint = ': use one format for the whole column (yyyy-mm-dd, dd-mm-yyyy, mm/dd/yyyy, dd/mm/yyyy or dd.mm.yyyy, '
        ~ 'optionally with a time), or leave var flat_created_at_column unset' -%}
    {%- if filled == 0 -%}
        {{ return(['the created-at column "' ~ column ~ '" is empty in every row' ~ hint]) }}
    {%- elif row[1] == filled or row[2] >= rules.parse_share * filled -%}
        {{ return(['the created-at column "' ~ column ~ '" holds ' ~ ('yes/no values' if row[1] == filled else 'numbers')
            ~ ', not dates (e.g. "' ~ row[3] ~ '")' ~ hint]) }}
    {%- elif best < rules.parse_share * filled -%}
        {{ return(['the created-at column "' ~ column ~ '" is not a date in one format: the best format reads ' ~ best ~ ' of '
            ~ filled ~ ' filled rows (' ~ (found | join(', ') if found else 'no format') ~ '; ' ~ (filled - best)
            ~ ' need another format' ~ ((', e.g. "' ~ row[3] ~ '" matches none') if row[3] else '') ~ ')' ~ hint]) }}
    {%- endif -%}
    {{ return([]) }}
{% endmacro %}


{% macro flat_stop(source_name, problems) %}
    {{ exceptions.raise_compiler_error(
        "The flat lead export " ~ source_name ~ " cannot be scored (" ~ problems | length ~ " problem(s)):\n  - "
        ~ problems | join("\n  - ")
    ) }}
{% endmacro %}


{#- The mapped stage changes from the given stage order on; empty (same columns) in
    flat mode, where an export has no stage history. Shared by the funnel marts. -#}
{% macro stage_changes_from(min_stage_order) -%}
    {%- if is_flat_mode() %}
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_string() }}) as stage,
        cast(null as integer) as stage_order,
        cast(null as timestamp) as changed_at
    where false
    {%- else %}
    select * from {{ ref('int_stage_changes_mapped') }}
    where stage_order >= {{ min_stage_order }}
    {%- endif %}
{%- endmacro %}
