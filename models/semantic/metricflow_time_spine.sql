-- One row per day for MetricFlow (cumulative metrics, time offsets, gap filling).
-- The range covers any CRM history this project scores; extend it if yours is longer.
{{ day_series('2015-01-01', '2036-01-01') }}
