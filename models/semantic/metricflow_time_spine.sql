-- One row per day for MetricFlow (cumulative metrics, time offsets, gap filling).
-- The range covers any CRM history this project scores; extend it if yours is longer.
select cast(range as date) as date_day
from range(date '2015-01-01', date '2036-01-01', interval 1 day)
