"""Rows of marts.data_quality in flat mode: placeholder and unparseable cells read as
missing per column, and the open leads (empty label)."""

from leadscore.flat import data_quality_counts


def model(dbt, session):
    dbt.config(materialized="table")
    return data_quality_counts(dbt.ref("flat_column_profile").pl(), dbt.ref("flat_examples").pl())
