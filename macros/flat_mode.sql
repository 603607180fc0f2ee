{#- Flat mode: score a flat lead export (one row per lead with a converted column)
    instead of the CRM tables. On when var flat_file (a CSV path or glob) or var
    flat_table (a table or view the warehouse can read) is set. -#}
{% macro is_flat_mode() -%}
    {{ return(not not (var('flat_file', none) or var('flat_table', none))) }}
{%- endmacro %}


{#- The export as text columns: read_csv with every column as varchar (types are
    inferred later, after placeholders are read as missing), or the table. -#}
{% macro flat_source_relation() -%}
    {%- if var('flat_file', none) -%}
        read_csv('{{ var("flat_file") }}', all_varchar = true, header = true)
    {%- else -%}
        {{ var('flat_table') }}
    {%- endif -%}
{%- endmacro %}


{#- Pre-flight of flat mode (on-run-start of build/run): stop before any model runs,
    saying what to fix, when the file is missing or empty, a named column is absent,
    the label holds something other than yes/no, 1/0, true/false (case-insensitive;
    empty = open lead), the id column has blanks or duplicates, or the labelled leads
    are all of one class. -#}
{% macro validate_flat_source() %}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- set source_name = var('flat_file', none) or var('flat_table') -%}
    {%- set relation = flat_source_relation() -%}
    {%- if var('flat_file', none) -%}
        {%- set path = var('flat_file') -%}
        {%- set found = run_query("select count(*), coalesce(sum(size), 0) from read_blob('" ~ path ~ "')") -%}
        {%- if found.rows[0][0] == 0 -%}
            {{ flat_stop(source_name, ['no file matches ' ~ path ~ ' (set var flat_file to the path of the CSV export)']) }}
        {%- endif -%}
        {%- if found.rows[0][1] == 0 -%}
            {{ flat_stop(source_name, ['the file is empty: export the leads as CSV with a header row (id, label and attribute columns) and one row per lead']) }}
        {%- endif -%}
    {%- endif -%}
    {%- set described = run_query('describe select * from ' ~ relation) -%}
    {%- set columns = [] -%}
    {%- for row in described.rows -%}
        {%- do columns.append(row[0]) -%}
    {%- endfor -%}
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
        {%- do placeholders.append("'" ~ (value | trim | lower | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- set id = adapter.quote(resolved['flat_id_column']) -%}
    {%- set label = 'lower(trim(cast(' ~ adapter.quote(resolved['flat_label_column']) ~ ' as varchar)))' -%}
    {%- set checks = run_query(
        'select count(*), '
        ~ 'count(*) filter (where nullif(trim(cast(' ~ id ~ ' as varchar)), \'\') is null), '
        ~ 'count(' ~ id ~ ') - count(distinct ' ~ id ~ '), '
        ~ 'count(*) filter (where ' ~ label ~ ' in (\'yes\', \'y\', \'true\', \'t\', \'1\', \'1.0\')), '
        ~ 'count(*) filter (where ' ~ label ~ ' in (\'no\', \'n\', \'false\', \'f\', \'0\', \'0.0\')) '
        ~ 'from ' ~ relation
    ).rows[0] -%}
    {%- if checks[0] == 0 -%}
        {{ flat_stop(source_name, ['the export has a header but no rows: there is nothing to score']) }}
    {%- endif -%}
    {%- if checks[1] > 0 -%}
        {%- do problems.append(checks[1] ~ ' row(s) have an empty id in column "' ~ resolved['flat_id_column']
            ~ '": every lead needs an id') -%}
    {%- endif -%}
    {%- if checks[2] > 0 -%}
        {%- set examples = run_query('select ' ~ id ~ ' from ' ~ relation ~ ' where ' ~ id ~ ' is not null group by 1 having count(*) > 1 order by 1 limit 3') -%}
        {%- set shown = [] -%}
        {%- for row in examples.rows -%}
            {%- do shown.append('"' ~ row[0] ~ '"') -%}
        {%- endfor -%}
        {%- do problems.append('the id column "' ~ resolved['flat_id_column'] ~ '" has duplicated values (e.g. '
            ~ shown | join(', ') ~ '): each lead must appear once; remove the duplicate rows or choose another id column') -%}
    {%- endif -%}
    {%- set unknown = run_query(
        'select distinct ' ~ label ~ ' as v from ' ~ relation
        ~ ' where ' ~ label ~ ' not in (\'yes\', \'y\', \'true\', \'t\', \'1\', \'1.0\', \'no\', \'n\', \'false\', \'f\', \'0\', \'0.0\', '
        ~ placeholders | join(', ') ~ ') order by 1 limit 6'
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
        {#- the formats leadscore.flat.DATE_FORMATS reads; a created-at column must be a date -#}
        {%- set created = 'nullif(trim(cast(' ~ adapter.quote(resolved['flat_created_at_column']) ~ ' as varchar)), \'\')' -%}
        {%- set formats = "['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d', '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y', '%d.%m.%Y']" -%}
        {%- set dates = run_query(
            'select count(' ~ created ~ '), count(' ~ created ~ ') filter (where try_strptime(' ~ created ~ ', ' ~ formats ~ ') is null), '
            ~ 'min(' ~ created ~ ') filter (where try_strptime(' ~ created ~ ', ' ~ formats ~ ') is null) from ' ~ relation
        ).rows[0] -%}
        {%- if dates[0] == 0 or dates[1] > 0.05 * dates[0] -%}
            {%- do problems.append('the created-at column "' ~ resolved['flat_created_at_column'] ~ '" is not a date in '
                ~ dates[1] ~ ' of ' ~ dates[0] ~ ' filled rows (e.g. "' ~ dates[2] ~ '"): use yyyy-mm-dd, dd-mm-yyyy, mm/dd/yyyy, dd/mm/yyyy or dd.mm.yyyy '
                ~ '(optionally with a time), or leave var flat_created_at_column unset') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if problems -%}
        {{ flat_stop(source_name, problems) }}
    {%- endif -%}
    {{ log('flat export ' ~ source_name ~ ': ' ~ checks[0] ~ ' leads, ' ~ checks[3] ~ ' converted, ' ~ checks[4]
        ~ ' not converted, ' ~ (checks[0] - checks[3] - checks[4]) ~ ' open (empty label)', info=True) }}
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
        cast(null as varchar) as lead_id,
        cast(null as varchar) as stage,
        cast(null as integer) as stage_order,
        cast(null as timestamp) as changed_at
    where false
    {%- else %}
    select * from {{ ref('int_stage_changes_mapped') }}
    where stage_order >= {{ min_stage_order }}
    {%- endif %}
{%- endmacro %}
