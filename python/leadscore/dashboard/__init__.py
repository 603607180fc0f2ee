"""The lead scoring dashboard: a Streamlit page on the published BI copy.

`python -m leadscore.dashboard --db data/leadscore_bi.duckdb` (or `make dashboard`)
starts it; `data` holds the queries, `app` the page.
"""
