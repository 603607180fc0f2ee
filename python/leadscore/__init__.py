"""leadscore: warehouse-native ML lead scoring (dbt + DuckDB + CatBoost)."""

__version__ = "0.1.0"
