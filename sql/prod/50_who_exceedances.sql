-- prod.who_exceedances: the days a sensor was over a WHO 2021 air quality guideline (one row per exceeding day).
-- Guidelines (WHO global air quality guidelines, 2021), all in µg/m³, compared only with µg/m³ sensors:
--   24-hour mean: PM2.5 15, PM10 45, NO2 25, SO2 40, CO 4 mg/m³ (= 4000 µg/m³);
--   O3: 100 as the day's highest 8-hour running mean (an 8-hour window counts when ≥ 6 of its 8 hours have data;
--   a window belongs to the day of the hour it ends with).
-- Input: prod.daily_averages_clean (sentinels out, ≥ 75 % coverage) and prod.hourly_clean for O3.
-- Dialect: the RANGE window with an INTERVAL offset works in DuckDB and Trino (Athena engine 3).
WITH guidelines (parameter, averaging, guideline) AS (
  VALUES
    ('pm25', '24-hour mean', 15.0),
    ('pm10', '24-hour mean', 45.0),
    ('no2', '24-hour mean', 25.0),
    ('so2', '24-hour mean', 40.0),
    ('co', '24-hour mean', 4000.0),
    ('o3', 'max 8-hour mean', 100.0)
),
daily AS (
  SELECT location_id, sensor_id, parameter_id, parameter, units, local_date, value_avg AS value
  FROM prod.daily_averages_clean
  WHERE parameter IN ('pm25', 'pm10', 'no2', 'so2', 'co') AND units IN ('µg/m³', 'μg/m³')
),
o3_windows AS (
  SELECT
    location_id, sensor_id, parameter_id, parameter, units, local_date,
    avg(value_avg) OVER w AS mean_8h,
    count(*) OVER w AS hours_8h
  FROM prod.hourly_clean
  WHERE parameter = 'o3' AND units IN ('µg/m³', 'μg/m³')
  WINDOW w AS (PARTITION BY sensor_id ORDER BY hour_end_utc RANGE BETWEEN INTERVAL 7 HOURS PRECEDING AND CURRENT ROW)
),
o3_daily AS (
  SELECT location_id, sensor_id, parameter_id, parameter, units, local_date, max(mean_8h) AS value
  FROM o3_windows
  WHERE hours_8h >= 6
  GROUP BY location_id, sensor_id, parameter_id, parameter, units, local_date
),
evaluated AS (
  SELECT * FROM daily
  UNION ALL
  SELECT * FROM o3_daily
)
SELECT
  e.location_id, e.sensor_id, e.parameter_id, e.parameter, e.units, e.local_date,
  g.averaging,
  e.value,
  CAST(g.guideline AS DOUBLE) AS guideline,
  e.value / g.guideline AS exceedance_ratio
FROM evaluated AS e
JOIN guidelines AS g ON g.parameter = e.parameter
WHERE e.value > g.guideline
