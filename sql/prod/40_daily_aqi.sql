-- prod.daily_aqi: the US EPA Air Quality Index of each clean PM2.5 and PM10 day (24-hour means).
-- Source: 40 CFR 58 Appendix G as revised in 2024 (PM2.5 "Good" ends at 9.0 µg/m³) and EPA's AQI Technical Assistance
-- Document EPA-454/B-24-002 (May 2024):
--   AQI = round((I_hi − I_lo) / (C_hi − C_lo) · (C − C_lo) + I_lo), C truncated first: PM2.5 to 0.1 µg/m³, PM10 to 1 µg/m³.
-- Above the top breakpoint the Hazardous segment is extended, as the TAD allows, so an AQI above 500 can appear.
-- Input: prod.daily_averages_clean (sentinels out, ≥ 75 % coverage); only µg/m³ sensors. A day whose truncated mean
-- is negative has no AQI (aqi and category are NULL).
-- The truncation first rounds to 6 decimals so float noise (35.4 stored as 35.39999…) does not drop a tenth, and
-- turns the truncated value into DOUBLE before dividing: in Trino (Athena) floor(DECIMAL(18,6) * 10) has scale 0, so
-- a DECIMAL division by 10 would round 94 / 10 to 9 (9.46 µg/m³ "Good" instead of "Moderate").
WITH breakpoints (parameter, c_lo, c_hi, i_lo, i_hi, category) AS (
  VALUES
    ('pm25', 0.0, 9.0, 0, 50, 'Good'),
    ('pm25', 9.1, 35.4, 51, 100, 'Moderate'),
    ('pm25', 35.5, 55.4, 101, 150, 'Unhealthy for Sensitive Groups'),
    ('pm25', 55.5, 125.4, 151, 200, 'Unhealthy'),
    ('pm25', 125.5, 225.4, 201, 300, 'Very Unhealthy'),
    ('pm25', 225.5, 325.4, 301, 500, 'Hazardous'),
    ('pm10', 0.0, 54.0, 0, 50, 'Good'),
    ('pm10', 55.0, 154.0, 51, 100, 'Moderate'),
    ('pm10', 155.0, 254.0, 101, 150, 'Unhealthy for Sensitive Groups'),
    ('pm10', 255.0, 354.0, 151, 200, 'Unhealthy'),
    ('pm10', 355.0, 424.0, 201, 300, 'Very Unhealthy'),
    ('pm10', 425.0, 604.0, 301, 500, 'Hazardous')
),
days AS (
  SELECT
    d.*,
    CASE d.parameter
      WHEN 'pm25' THEN CAST(floor(CAST(d.value_avg AS DECIMAL(18, 6)) * 10) AS DOUBLE) / 10
      ELSE CAST(floor(CAST(d.value_avg AS DECIMAL(18, 6))) AS DOUBLE)
    END AS concentration
  FROM prod.daily_averages_clean AS d
  WHERE d.parameter IN ('pm25', 'pm10') AND d.units IN ('µg/m³', 'μg/m³')
)
SELECT
  days.location_id, days.sensor_id, days.parameter_id, days.parameter, days.units, days.local_date,
  days.value_avg, days.hour_count,
  CAST(days.concentration AS DOUBLE) AS concentration,
  CAST(round((b.i_hi - b.i_lo) * (days.concentration - b.c_lo) / (b.c_hi - b.c_lo) + b.i_lo) AS INTEGER) AS aqi,
  b.category
FROM days
LEFT JOIN breakpoints AS b
  ON b.parameter = days.parameter
  AND days.concentration >= b.c_lo
  AND (days.concentration <= b.c_hi OR b.category = 'Hazardous')
