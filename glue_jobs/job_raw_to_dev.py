"""job_raw_to_dev: raw OpenAQ /measurements and archive objects in S3 -> dev.measurements as Snappy Parquet (AWS Glue
5.0, Spark 3.5, PySpark).

The AWS twin of the DuckDB transform (sql/dev/measurements.sql, sql/dev/archive_measurements.sql): the same columns
(ARCHITECTURE section 4), the same local_date rule, the same dedup, the same quarantine reasons, and the quality flags
of the SAME spec file (sql/dev/quality-rules.json, uploaded beside this script and passed as --rules_s3_key).

Spark does all the row work with DataFrame functions; no Python code runs per record (no UDF, no RDD function):
- API pages: spark.read.text(wholetext) -> from_json(page schema) -> posexplode(results) -> from_json per record (once
  with text leaves, once with typed leaves) -> typed columns and the quarantine reason as CASE WHEN chains.
- Archive .csv.gz: spark.read.csv (every field a string; Hadoop decompresses .gz by its extension) -> the same.
- local_date = to_date(from_utc_timestamp(period_end - 1 s, zone)); dedup = row_number() over (sensor, period end)
  ordered by fetch time, raw key, record index (newest wins); quality flags = a CASE WHEN chain over the ranges joined
  from a small DataFrame; per-day counts = groupBy/agg, collected (one row per day).
- Each day: repartition(1).sortWithinPartitions(...) -> one part file in a staging folder -> CopyObject to its version
  key; what is under the run's staging folder is deleted, with the `<folder>_$folder$` marker objects EMRFS writes
  for the staging folder and its ancestors up to --tmp_prefix.

Known limit: one day at a time (one or two Spark jobs per day) is slow for long ranges; the alternative, not done
yet, is one write of the whole range, repartition("local_date").sortWithinPartitions(...).write.partitionBy(
"local_date"), then one CopyObject per day's part file.

The driver only handles the manifest (per object: its location's zone and coordinates) and ships it as a DataFrame of
builtin values: nothing the job hands to Spark is an instance of a class of this script (a Python worker of an
executor has another __main__ and could not unpickle it).

Where Spark's JSON reader is not DuckDB's (checked here, stated in README "On AWS"):
- JSON dialect: from_json runs with allowSingleQuotes=false (single-quoted text makes a page unreadable, as in
  DuckDB) and allowNonNumericNumbers=true (a bare NaN/Infinity token reads, as in DuckDB's reader; the job then
  quarantines it as "value is not a number", as DuckDB does; the JSON string "NaN" is the same to Spark, whose parser
  re-writes a bare NaN as "NaN", so its value_raw is NaN, not DuckDB's "NaN" in quotes). Text after the root value is
  not checked by Jackson.
- Unreadable page: from_json in PERMISSIVE mode gives a row with `_corrupt_record` set (or NULL for empty text);
  the reason is UNREADABLE_PAGE below, without the parser's message (Spark does not expose it per row).
- A page whose `results` is not an array is unreadable (Spark cannot read the field), as before.
- Text leaves (parameter name, units, instants, interval) are read as STRING: a JSON number there arrives as its text
  (DuckDB: NULL). A value's JSON text (value_raw) is rebuilt: numbers as Jackson writes them, other values quoted
  unless they are objects, arrays or booleans.
- Instants are Spark's CAST(string AS TIMESTAMP) (ISO 8601, `Z`/`+hh:mm`/`+hhmm`/region ids, none = UTC), not
  DuckDB's TIMESTAMPTZ parser; zone rules are the JVM's tz database, not ICU's.
- Archive numbers are Spark's CAST(string AS DOUBLE), Java's Double.parseDouble: it also takes `1.5d` or hex floats,
  which DuckDB's TRY_CAST refuses. NaN and +-Infinity (which both CASTs read) are "value is not a number", as from
  the API; a stamp's offset counts only after a time (a date alone, 2022-05-03, is no instant in either engine).
- Known zones are the JVM's (java.time.ZoneId.getAvailableZoneIds(), read once on the driver): from_utc_timestamp
  fails the query on an unknown zone, so a row whose location has another zone name is quarantined first. Python's
  tz database is not used (zoneinfo accepts posix/... and right/... names the JVM refuses, and may be absent).

Arguments (Glue passes them as --name value; unknown Glue arguments such as --JOB_ID are ignored):
  --bucket             the lake bucket
  --manifest_key       S3 key of a JSON manifest {"objects": [...], "locations": [...], "location_keys": [...]}
  --raw_keys_json      the manifest's "objects" inline instead (small runs; Glue caps argument sizes)
  --timezones_json     location context inline: [{"location_id", "timezone", "latitude", "longitude", "valid_from"}]
                       or {"<location_id>": "Zone/Name" | {"timezone", "latitude", "longitude"}}
  --local_date         one local day YYYY-MM-DD, or --from_date and --to_date (both inclusive)
  --output_key_template      the object a day's new version is written to, with {date} (YYYY-MM-DD), e.g.
                             dev/_versions/measurements/{date}/<version tag>.parquet : one Snappy Parquet object
                             per day, outside every table location (the lake's commit copies it to the current key)
  --quarantine_key_template  the same for the day's quarantined rows
  --tmp_prefix               where Spark stages its part files (e.g. _aws/glue/tmp/); removed, markers included
  --run_id                   names this run's staging folder; never reused
  --rules_s3_key       the quality spec (sql/dev/quality-rules.json)
  --stats_key          where the job writes its per-day counts and keys (JSON) for the engine to read

The manifest may also hold "archive_objects" ({"raw_key", "location_id", "file_date", "fetched_at", "valid",
"validation_error"}: OpenAQ archive .csv.gz objects of a location's local day) and "parameter_keys" (the newest
/v3/parameters snapshot's objects: an archive row's parameter id comes from its name and units).

An object entry: {"raw_key", "sensor_id", "location_id", "fetched_at", "window_from_utc", "window_to_utc",
"valid", "validation_error"}, optionally with its resolved "timezone", "latitude", "longitude".
"""

import argparse
import json
import re
import sys
from datetime import date, datetime, timedelta, timezone

# --- the table's shape (ARCHITECTURE section 4); the tests compare it with the engine's declared schema ----------

MEASUREMENTS_COLUMNS = [
    ("location_id", "BIGINT"),
    ("sensor_id", "BIGINT"),
    ("parameter_id", "INTEGER"),
    ("parameter", "VARCHAR"),
    ("units", "VARCHAR"),
    ("value", "DOUBLE"),
    ("period_start_utc", "TIMESTAMP"),
    ("period_end_utc", "TIMESTAMP"),
    ("timezone", "VARCHAR"),
    ("local_date", "DATE"),
    ("interval_seconds", "INTEGER"),
    ("latitude", "DOUBLE"),
    ("longitude", "DOUBLE"),
    ("has_flags", "BOOLEAN"),
    ("quality", "VARCHAR"),
    ("source", "VARCHAR"),
    ("raw_key", "VARCHAR"),
    ("ingested_at", "TIMESTAMP"),
]

QUARANTINE_COLUMNS = [
    ("raw_key", "VARCHAR"),
    ("record_index", "BIGINT"),
    ("reason", "VARCHAR"),
    ("sensor_id", "BIGINT"),
    ("location_id", "BIGINT"),
    ("parameter_id", "INTEGER"),
    ("parameter", "VARCHAR"),
    ("units", "VARCHAR"),
    ("value", "DOUBLE"),
    ("value_raw", "VARCHAR"),
    ("period_start_utc", "TIMESTAMP"),
    ("period_end_utc", "TIMESTAMP"),
    ("period_end_raw", "VARCHAR"),
    ("timezone", "VARCHAR"),
    ("local_date", "DATE"),
    ("ingested_at", "TIMESTAMP"),
]

# --- the quality rules: their order and meaning are restated here, their numbers are read from the spec ----------

SUPPORTED_RULES_VERSION = 1
# A row gets the first flag that applies, in this order (the spec's "_doc" says the same).
QUALITY_FLAGS = ("sentinel", "negative", "out_of_range", "future", "ok")

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def load_rules(text):
    """
    The spec as builtin types only: {"sentinel_max", "future_tolerance_seconds", "ranges": {(parameter, units): (min or
    None, max or None)}}. No class of this script: Spark pickles broadcast values with plain pickle, and a class of
    __main__ cannot be unpickled in an executor's Python worker, whose __main__ is another module.
    """
    spec = json.loads(text)
    if spec.get("version") != SUPPORTED_RULES_VERSION:
        raise ValueError(
            "quality rules version %r is not the one this job implements (%d)"
            % (spec.get("version"), SUPPORTED_RULES_VERSION)
        )
    ranges = {}
    for r in spec.get("ranges") or []:
        lo = r.get("min")
        hi = r.get("max")
        ranges[(r["parameter"], r["units"])] = (
            float(lo) if lo is not None else None,
            float(hi) if hi is not None else None,
        )
    return {
        "sentinel_max": float(spec["sentinelMax"]),
        "future_tolerance_seconds": int(spec["futureToleranceSeconds"]),
        "ranges": ranges,
    }


# --- the manifest's instants (driver side: metadata, not records) ------------------------------------------------

_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_utc(text):
    """An ISO 8601 instant ('Z', '+00:00', '-04:00', or none = UTC) -> aware UTC datetime; None if it is not one."""
    if not isinstance(text, str):
        return None
    m = _TS.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, off = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro, tzinfo=timezone.utc)
    except ValueError:
        return None
    if off and off not in ("Z", "z"):
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        dt = dt - sign * timedelta(minutes=minutes)
    return dt



def jvm_zone_ids(spark):
    """
    The zone names Spark resolves (from_utc_timestamp, a cast's region id): the JVM's ZoneId.getAvailableZoneIds(),
    not Python's zoneinfo, which also takes names the JVM refuses (posix/..., right/...) and may be absent on the
    driver. A name outside this set is an unknown zone: its rows are quarantined before Spark sees it.
    """
    ids = frozenset(str(z) for z in spark._jvm.java.time.ZoneId.getAvailableZoneIds())
    if "America/New_York" not in ids:
        raise RuntimeError("the JVM lists no IANA time zones: local dates cannot be computed")
    return ids


def _ts(v):
    """An instant from ISO text or a datetime; a naive datetime (Spark's TIMESTAMP under a UTC session) is UTC."""
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.replace(tzinfo=timezone.utc) if v.tzinfo is None else v.astimezone(timezone.utc)
    return parse_utc(v)


# --- the location context of a raw object (create_file_context) ------------------------------------------------


def location_versions_from(value):
    """--timezones_json / the manifest's "locations" -> {location_id: [(valid_from or None, tz, lat, lon), ...]}."""
    out = {}
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if isinstance(v, str):
                v = {"timezone": v}
            items.append(dict(v, location_id=int(k)))
        value = items
    for v in value or []:
        out.setdefault(int(v["location_id"]), []).append(
            (_ts(v.get("valid_from")), v.get("timezone"), v.get("latitude"), v.get("longitude"))
        )
    return out


def resolve_context(entry, versions):
    """The newest version valid when the object was fetched, else the earliest one; (tz, lat, lon) or Nones."""
    if "timezone" in entry:
        return entry.get("timezone"), entry.get("latitude"), entry.get("longitude")
    loc = entry.get("location_id")
    candidates = versions.get(int(loc)) if loc is not None else None
    if not candidates:
        return None, None, None
    fetched = _ts(entry["fetched_at"])

    def distance(v):
        valid_from = v[0]
        if valid_from is None:
            return 0.0
        if valid_from <= fetched:
            return (fetched - valid_from).total_seconds()
        return 1e12 + valid_from.timestamp()

    best = min(candidates, key=distance)
    return best[1], best[2], best[3]


def is_integer(v):
    return isinstance(v, int) and not isinstance(v, bool)


def parameter_lookup(snapshots):
    """(name, units) -> parameter id from /v3/parameters pages; a pair listed with two ids takes the smallest."""
    out = {}
    for doc in snapshots:
        for p in (doc.get("results") or []) if isinstance(doc, dict) else []:
            pid = p.get("id") if isinstance(p, dict) else None
            if not is_integer(pid):
                continue
            key = (p.get("name"), p.get("units"))
            if key not in out or pid < out[key]:
                out[key] = pid
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(prog="job_raw_to_dev", allow_abbrev=False)
    p.add_argument("--bucket", required=True)
    p.add_argument("--manifest_key")
    p.add_argument("--raw_keys_json")
    p.add_argument("--timezones_json")
    p.add_argument("--local_date")
    p.add_argument("--from_date")
    p.add_argument("--to_date")
    p.add_argument("--output_key_template", required=True)
    p.add_argument("--quarantine_key_template", required=True)
    p.add_argument("--tmp_prefix", required=True)
    p.add_argument("--run_id", required=True)
    p.add_argument("--rules_s3_key", required=True)
    p.add_argument("--stats_key", required=True)
    args, _unknown = p.parse_known_args(argv)
    if args.local_date:
        args.from_date = args.to_date = args.local_date
    if not (args.from_date and args.to_date):
        p.error("give --local_date, or --from_date and --to_date")
    if not (args.manifest_key or args.raw_keys_json):
        p.error("give --manifest_key or --raw_keys_json")
    if not re.match(r"^[A-Za-z0-9_.-]+$", args.run_id):
        p.error("--run_id may hold letters, digits, _ . - only")
    for name in ("output_key_template", "quarantine_key_template"):
        t = getattr(args, name)
        if "{date}" not in t or not t.endswith(".parquet"):
            p.error("--%s must hold {date} and end in .parquet" % name)
    if not args.tmp_prefix.endswith("/"):
        p.error("--tmp_prefix must end in /")
    return args


def version_key(template, day):
    """The object a day's version is written to, e.g. dev/_versions/measurements/2024-03-05/<tag>.parquet."""
    return template.replace("{date}", day.isoformat())

def _spark_type(T, name):
    return {
        "BIGINT": T.LongType(),
        "INTEGER": T.IntegerType(),
        "DOUBLE": T.DoubleType(),
        "VARCHAR": T.StringType(),
        # TIMESTAMP_NTZ (Spark >= 3.4): Parquet INT64 micros with isAdjustedToUTC=false, the type DuckDB writes for
        # TIMESTAMP, so local and AWS files share one schema (TimestampType would be read as TIMESTAMP WITH TIME ZONE).
        "TIMESTAMP": T.TimestampNTZType(),
        "DATE": T.DateType(),
        "BOOLEAN": T.BooleanType(),
    }[name]

def list_keys(s3, bucket, prefix):
    keys = []
    kwargs = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = s3.list_objects_v2(**kwargs)
        keys.extend(o["Key"] for o in page.get("Contents", []))
        if not page.get("IsTruncated"):
            return keys
        kwargs["ContinuationToken"] = page["NextContinuationToken"]


def delete_keys(s3, bucket, keys):
    for i in range(0, len(keys), 1000):
        out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]],
                                                      "Quiet": True})
        if out.get("Errors"):
            e = out["Errors"][0]
            raise RuntimeError("could not delete %d staging objects, e.g. %s: %s %s"
                               % (len(out["Errors"]), e.get("Key"), e.get("Code"), e.get("Message")))


def folder_markers(folder, top):
    """
    The `<folder>_$folder$` keys EMRFS may write when it creates `folder` (a key ending in /): its own and each
    ancestor's, up to and including `top`'s (the staging root, --tmp_prefix). DeleteObjects of a missing key succeeds.
    Ancestors above `top` hold the job's own inputs (the script, rules and manifest under the artifacts prefix), so
    EMRFS finds them and writes no marker there, and the role may not delete there.
    """
    if not folder.startswith(top):
        raise ValueError("%s is not under %s" % (folder, top))
    parts = folder.rstrip("/").split("/")
    depth = len(top.rstrip("/").split("/"))
    return ["/".join(parts[:i]) + "_$folder$" for i in range(len(parts), depth - 1, -1)]


def publish_single_part(s3, bucket, staging_prefix, key):
    """
    Spark wrote one part file (repartition(1)) under staging_prefix, outside every table location: copy it server-side
    to `key`, the version's one object. Markers and _SUCCESS stay in staging, which the job removes.
    """
    parts = [k for k in list_keys(s3, bucket, staging_prefix)
             if k.rsplit("/", 1)[-1].startswith("part-") and k.endswith(".parquet")]
    if len(parts) != 1:
        raise RuntimeError("expected one Parquet part under s3://%s/%s, found %d" % (bucket, staging_prefix,
                                                                                   len(parts)))
    s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": parts[0]})
    return s3.head_object(Bucket=bucket, Key=key)["ContentLength"]


# --- the transform as Spark DataFrame expressions (pyspark is imported here, not at module level) ---------------

OBJECT_REASON_UNREADABLE = "unreadable raw object: "
# What from_json tells about a page it cannot read: nothing more than that (no parser message per row).
UNREADABLE_PAGE = OBJECT_REASON_UNREADABLE + "not a JSON object whose results is an array of records (Spark from_json)"
OBJECT_REASON_INVALID_EMPTY = "raw object failed validation and yields no record"
ARCHIVE_FIELDS = ("location_id", "sensors_id", "location", "datetime", "lat", "lon", "parameter", "units", "value")
ARCHIVE_INVALID = "raw archive object failed the extract's check"
# JSON as DuckDB reads it: single quotes are not JSON (Spark allows them by default); bare NaN and Infinity tokens are
# numbers (DuckDB's reader accepts them too).
JSON_OPTIONS = {"mode": "PERMISSIVE", "allowSingleQuotes": "false", "allowNonNumericNumbers": "true"}
CORRUPT = "_corrupt_record"
INTERVAL_PATTERN = r"^(?:(\d+) days? )?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$"
# A time (h:mm, then optional seconds and fraction) right before the offset: a date alone (2022-05-03, which ends in
# "-03") is not an instant with its offset.
OFFSET_AT_END = r"\d:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$"
INTEGER_TEXT = r"^[+-]?\d+$"

# Every row of the range, typed or not, before the dedup: the columns both sources produce.
CANDIDATE_COLUMNS = [
    "raw_key", "record_index", "sensor_id", "location_id", "ingested_at", "parameter_id", "parameter", "units",
    "value", "value_raw", "period_start_utc", "period_end_utc", "period_end_raw", "timezone", "local_date",
    "interval_seconds", "latitude", "longitude", "has_flags", "reason", "partition_date", "source",
]


def _sql():
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    return F, T


def page_schema():
    """A /measurements page: only `results`, each record kept as its JSON text; `_corrupt_record` marks bad text."""
    F, T = _sql()
    return T.StructType([
        T.StructField("results", T.ArrayType(T.StringType())),
        T.StructField(CORRUPT, T.StringType()),
    ])


def record_text_schema():
    """
    A record's leaves as text (a STRING field takes any JSON value: a string as is, others as their JSON text), in
    the shape DuckDB reads (sql/dev/measurements.sql insert_records): a record, its parameter, period, datetimeFrom,
    datetimeTo, coordinates and flagInfo are objects (or null).
    """
    F, T = _sql()
    s = T.StringType()

    def struct(*names):
        return T.StructType([T.StructField(n, s) for n in names])

    return T.StructType([
        T.StructField("value", s),
        T.StructField("flagInfo", struct("hasFlags")),
        T.StructField("parameter", struct("id", "name", "units")),
        T.StructField("period", T.StructType([
            T.StructField("interval", s),
            T.StructField("datetimeFrom", struct("utc")),
            T.StructField("datetimeTo", struct("utc")),
        ])),
        T.StructField("coordinates", struct("latitude", "longitude")),
    ])


def page_shape_schema():
    """
    The page with every record in record_text_schema's shape: a record that is not an object (or whose parameter,
    period, ... is not) cannot be read, so from_json marks the page corrupt and the page is unreadable, as DuckDB's
    read of the object fails.
    """
    F, T = _sql()
    return T.StructType([
        T.StructField("results", T.ArrayType(record_text_schema())),
        T.StructField(CORRUPT, T.StringType()),
    ])


def record_typed_schema():
    """
    A record's typed leaves. A leaf that is not of its type (a string value, a float id) makes from_json drop the
    top-level field holding it (PERMISSIVE partial results), so each typed leaf sits in its own top-level field.
    """
    F, T = _sql()
    d = T.DoubleType()
    return T.StructType([
        T.StructField("value", d),
        T.StructField("parameter", T.StructType([T.StructField("id", T.IntegerType())])),
        T.StructField("coordinates", T.StructType([T.StructField("latitude", d), T.StructField("longitude", d)])),
        T.StructField("flagInfo", T.StructType([T.StructField("hasFlags", T.BooleanType())])),
    ])


def archive_schema():
    F, T = _sql()
    return T.StructType([T.StructField(n, T.StringType()) for n in ARCHIVE_FIELDS])


def instant(text):
    """ISO 8601 text -> TIMESTAMP (an instant; no offset = UTC, the session zone); NULL if it is not one."""
    F, T = _sql()
    return text.cast(T.TimestampType())


def is_finite(value):
    """True for a finite DOUBLE, false for NaN and +-Infinity, NULL for NULL."""
    F, T = _sql()
    return ~F.isnan(value) & (value != F.lit(float("inf"))) & (value != F.lit(float("-inf")))


def minus_one_second(ts):
    F, T = _sql()
    return F.timestamp_micros(F.unix_micros(ts) - 1000000)


def local_date_of(period_end, tz, tz_known):
    """OpenAQ's day rule: the local date of (period end - 1 s) in the location's zone; NULL for an unchecked zone."""
    F, T = _sql()
    return F.to_date(F.from_utc_timestamp(minus_one_second(period_end), F.when(tz_known, tz)))


def interval_seconds(text):
    """OpenAQ's period.interval ('01:00:00', '00:15:00', '24:00:00', '1 day 00:00:00') -> INT seconds; else NULL."""
    F, T = _sql()
    t = F.trim(text)

    def part(i):
        return F.regexp_extract(t, INTERVAL_PATTERN, i)

    seconds = (F.coalesce(part(1).cast("bigint"), F.lit(0)) * 86400 + part(2).cast("bigint") * 3600
               + part(3).cast("bigint") * 60 + part(4).cast("double"))
    rounded = F.floor(seconds + 0.5)
    return F.when(t.rlike(INTERVAL_PATTERN) & (rounded >= INT32_MIN) & (rounded <= INT32_MAX), rounded.cast("int"))


def seconds_between(start, end):
    """Whole seconds from start to end, rounded half up (the interval when the record has none)."""
    F, T = _sql()
    return F.floor((F.unix_micros(end) - F.unix_micros(start)) / 1000000 + 0.5).cast("int")


def json_quoted(text):
    """A string as a JSON string literal (to_json of a one-element array, brackets removed)."""
    F, T = _sql()
    return F.regexp_extract(F.to_json(F.array(text)), r"^\[(.*)\]$", 1)


def with_quality(spark, rows, rules):
    """
    rows + `quality` (sql/dev/measurements.sql copy_measurements): the first flag that applies, in QUALITY_FLAGS
    order. rows has value, parameter, units, period_end_utc, ingested_at (TIMESTAMPs). The ranges are a small
    DataFrame of builtin values, joined (broadcast) by parameter AND units.
    """
    F, T = _sql()
    ranges = spark.createDataFrame(
        [(p, u, lo, hi) for (p, u), (lo, hi) in sorted(rules["ranges"].items())],
        T.StructType([T.StructField("parameter", T.StringType()), T.StructField("units", T.StringType()),
                      T.StructField("range_min", T.DoubleType()), T.StructField("range_max", T.DoubleType())]),
    )
    j = rows.join(F.broadcast(ranges), ["parameter", "units"], "left")
    v, lo, hi = F.col("value"), F.col("range_min"), F.col("range_max")
    tolerance = int(rules["future_tolerance_seconds"]) * 1000000
    sentinel, negative, out_of_range, future, ok = QUALITY_FLAGS
    quality = (
        F.when(v <= F.lit(float(rules["sentinel_max"])), sentinel)
        # Without a range, negatives are flagged; a range whose min is below 0 allows them.
        .when((v < 0) & (F.coalesce(lo, F.lit(0.0)) >= 0), negative)
        .when((lo.isNotNull() & (v < lo)) | (hi.isNotNull() & (v > hi)), out_of_range)
        .when(F.unix_micros("period_end_utc") > F.unix_micros("ingested_at") + tolerance, future)
        .otherwise(ok)
    )
    return j.withColumn("quality", quality).drop("range_min", "range_max")


def _with_error(prefix, err):
    """prefix, then ": <err>" when the manifest gives a (non-empty) error."""
    F, T = _sql()
    return F.concat(F.lit(prefix), F.when(err.isNotNull() & (err != ""), F.concat(F.lit(": "), err)).otherwise(""))


_OBJECT_ROW_NULLS = {
    "record_index": "bigint", "parameter_id": "int", "parameter": "string", "units": "string", "value": "double",
    "value_raw": "string", "period_start_utc": "timestamp_ltz", "period_end_utc": "timestamp_ltz",
    "period_end_raw": "string", "local_date": "date", "interval_seconds": "int", "latitude": "double",
    "longitude": "double", "has_flags": "boolean",
}


def object_candidates(objects, sensor_id, reason, partition_date, source):
    """One quarantine candidate per object that yields no record (create_rows' insert_object_rows)."""
    F, T = _sql()
    given = {
        "raw_key": F.col("raw_key"), "sensor_id": sensor_id, "location_id": F.col("location_id"),
        "ingested_at": F.col("fetched_at"), "timezone": F.col("timezone"), "reason": reason,
        "partition_date": partition_date, "source": F.lit(source),
    }
    return objects.select(*[(given[c] if c in given else F.lit(None).cast(_OBJECT_ROW_NULLS[c])).alias(c)
                            for c in CANDIDATE_COLUMNS])


def _in_range(day, from_date, to_date):
    return (day >= from_date) & (day <= to_date)


def api_candidates(spark, objects, from_date, to_date):
    """
    Every record of the API pages (and one row per object that yields none), with its reason (NULL = typed) and
    the day it counts for. objects: raw_key, path, sensor_id, location_id, fetched_at, window_to_utc, valid,
    validation_error, timezone, tz_known, location_latitude, location_longitude.
    """
    F, T = _sql()
    paths = sorted({r["path"] for r in objects.select("path").distinct().collect()})
    if paths:
        texts = spark.read.text(paths, wholetext=True).select(F.input_file_name().alias("path"),
                                                              F.col("value").alias("text"))
        pages = objects.join(texts, "path", "left")
    else:
        pages = objects.withColumn("text", F.lit(None).cast("string"))
    pages = pages.select(
        "*",
        F.from_json("text", page_schema(), JSON_OPTIONS).alias("page"),
        F.from_json("text", page_shape_schema(), JSON_OPTIONS).alias("shape"),
    )
    results = F.col("page.results")
    err = F.col("validation_error")
    unreadable = F.col("page").isNull() | F.col("page." + CORRUPT).isNotNull() | F.col("shape." + CORRUPT).isNotNull()
    object_reason = (
        F.when(unreadable, F.lit(UNREADABLE_PAGE))
        .when((F.when(results.isNull(), 0).otherwise(F.size(results)) == 0) & (F.col("valid") == F.lit(False)),
              _with_error(OBJECT_REASON_INVALID_EMPTY, err))
    )
    pages = pages.withColumn("object_reason", object_reason).cache()

    object_day = F.to_date(minus_one_second(F.least("window_to_utc", "fetched_at")))
    object_rows = object_candidates(pages.filter(F.col("object_reason").isNotNull()), F.col("sensor_id"),
                                    F.col("object_reason"), object_day, "api") \
        .filter(_in_range(F.col("partition_date"), from_date, to_date))

    records = pages.filter(F.col("object_reason").isNull()).select(
        "raw_key", "sensor_id", "location_id", "fetched_at", "window_to_utc", "timezone", "tz_known",
        "location_latitude", "location_longitude", F.posexplode(results).alias("pos", "record"),
    )
    r = records.select(
        "*",
        F.from_json("record", record_text_schema(), JSON_OPTIONS).alias("t"),
        F.from_json("record", record_typed_schema(), JSON_OPTIONS).alias("n"),
    )
    value_text, typed_value = F.col("t.value"), F.col("n.value")
    # NaN and Infinity are not numbers to DuckDB (json_type is not DOUBLE): "value is not a number" here too.
    finite = is_finite(typed_value)
    value = F.when(finite, typed_value)
    end_text = F.col("t.period.datetimeTo.utc")
    start, end = instant(F.col("t.period.datetimeFrom.utc")), instant(end_text)
    r = r.select(
        "*",
        start.alias("start"), end.alias("end"),
        interval_seconds(F.col("t.period.interval")).alias("interval_text_seconds"),
    )
    start, end = F.col("start"), F.col("end")
    tz, tz_known = F.col("timezone"), F.col("tz_known")
    reason = (
        F.when(F.col("location_id").isNull(), "no location id for the sensor in the raw manifest")
        .when(tz.isNull(), "unknown location: no snapshot of the location in dev.locations")
        .when(~tz_known, F.concat(F.lit("unknown location timezone: "), tz))
        .when(end.isNull(), "unparseable period end (period.datetimeTo.utc)")
        .when(start.isNull(), "unparseable period start (period.datetimeFrom.utc)")
        .when(value_text.isNull(), "value is null")
        .when(value.isNull(), "value is not a number")
        .when(F.col("n.parameter.id").isNull(), "missing or non-integer parameter.id")
    )
    local_date = local_date_of(end, tz, tz_known)
    both = F.col("n.coordinates.latitude").isNotNull() & F.col("n.coordinates.longitude").isNotNull()
    # The value's JSON text: a number as Jackson writes it, an object, array or boolean as is, a string quoted. A
    # non-finite number is its bare name (NaN, Infinity), as DuckDB keeps it. (Jackson writes a bare NaN token into a
    # record's text as the string "NaN", so the string "NaN" cannot be told from it here: both are NaN.)
    value_json = (
        F.when(typed_value.isNotNull() & ~finite, F.regexp_extract(value_text, r'^"?(.*?)"?$', 1))
        .when(value.isNotNull() | value_text.rlike(r"^[\[{]") | value_text.isin("true", "false"), value_text)
        .when(value_text.isNotNull(), json_quoted(value_text))
    )
    rows = r.select(
        "raw_key", (F.col("pos") + 1).cast("bigint").alias("record_index"), "sensor_id", "location_id",
        F.col("fetched_at").alias("ingested_at"), F.col("n.parameter.id").alias("parameter_id"),
        F.col("t.parameter.name").alias("parameter"), F.col("t.parameter.units").alias("units"),
        value.alias("value"), reason.alias("reason"), value_json.alias("value_json"),
        start.alias("period_start_utc"), end.alias("period_end_utc"),
        F.when(end_text.isNotNull(), json_quoted(end_text)).alias("end_json"),
        "timezone", local_date.alias("local_date"),
        F.coalesce(F.col("interval_text_seconds"), seconds_between(start, end)).alias("interval_seconds"),
        F.when(both, F.col("n.coordinates.latitude")).otherwise(F.col("location_latitude")).alias("latitude"),
        F.when(both, F.col("n.coordinates.longitude")).otherwise(F.col("location_longitude")).alias("longitude"),
        F.col("n.flagInfo.hasFlags").alias("has_flags"),
        # A row without a local date still counts for one day, by a rule that does not depend on the range.
        F.coalesce(local_date, F.to_date(minus_one_second(F.coalesce(end, F.least("window_to_utc", "fetched_at")))))
        .alias("partition_date"),
    )
    quarantined = F.col("reason").isNotNull()
    rows = rows.select(
        *[c for c in CANDIDATE_COLUMNS if c not in ("value_raw", "period_end_raw", "source")],
        F.when(quarantined, F.col("value_json")).alias("value_raw"),
        F.when(quarantined, F.col("end_json")).alias("period_end_raw"),
        F.lit("api").alias("source"),
    ).filter(_in_range(F.col("partition_date"), from_date, to_date))
    return rows.select(*CANDIDATE_COLUMNS).unionByName(object_rows.select(*CANDIDATE_COLUMNS))


def archive_candidates(spark, objects, parameters, from_date, to_date):
    """
    The archive's records as candidate rows (sql/dev/archive_measurements.sql). objects: raw_key, path, location_id,
    file_date, fetched_at, valid, validation_error, timezone, tz_known, location_latitude, location_longitude.
    parameters: a DataFrame of (parameter, units, parameter_id).
    """
    F, T = _sql()
    from pyspark.sql import Window

    invalid = object_candidates(
        objects.filter(F.col("valid") == F.lit(False)), F.lit(None).cast("bigint"),
        _with_error(ARCHIVE_INVALID, F.col("validation_error")), F.col("file_date"), "archive",
    ).filter(_in_range(F.col("partition_date"), from_date, to_date))

    readable = objects.filter(~(F.col("valid") == F.lit(False)) | F.col("valid").isNull())
    paths = sorted({r["path"] for r in readable.select("path").distinct().collect()})
    if not paths:
        return invalid
    csv = spark.read.csv(paths, schema=archive_schema(), header=True, multiLine=True, escape='"')
    x = csv.select(F.input_file_name().alias("path"), *[F.col(n).alias("csv_" + n) for n in ARCHIVE_FIELDS])
    x = x.join(readable, "path")
    # CSV has no line number: a rank by content, stable across re-runs (NULLs last, as DuckDB orders them).
    order = Window.partitionBy("path").orderBy(*[F.col("csv_" + n).asc_nulls_last() for n in (
        "sensors_id", "datetime", "value", "parameter", "units", "location_id", "lat", "lon")])

    def bigint(name):
        t = F.trim(F.col(name))
        return F.when(t.rlike(INTEGER_TEXT), t.cast("bigint"))

    stamp = F.trim(F.col("csv_datetime"))
    archive_value = F.trim(F.col("csv_value")).cast("double")
    typed = x.select(
        "*",
        (F.row_number().over(order) - 1).cast("bigint").alias("record_index"),
        bigint("csv_sensors_id").alias("sensor_id"),
        bigint("csv_location_id").alias("row_location_id"),
        # The API path's rule: NaN and +-Infinity (which CAST reads from text) are not numbers.
        F.when(is_finite(archive_value), archive_value).alias("value"),
        # Only a stamp with its offset names an instant; a naive one would silently be read as UTC.
        F.when(stamp.rlike(OFFSET_AT_END), instant(stamp)).alias("end"),
        F.trim(F.col("csv_lat")).cast("double").alias("record_latitude"),
        F.trim(F.col("csv_lon")).cast("double").alias("record_longitude"),
    ).withColumnRenamed("csv_parameter", "parameter").withColumnRenamed("csv_units", "units")
    typed = typed.join(F.broadcast(parameters), ["parameter", "units"], "left").cache()

    # The archive has no period length: the sensor's most common step between consecutive distinct period ends among
    # the archive rows at hand (the smallest on a tie); a sensor with a single row gets an hour.
    ends = typed.filter(F.col("sensor_id").isNotNull() & F.col("end").isNotNull()).select("sensor_id", "end").distinct()
    by_end = Window.partitionBy("sensor_id").orderBy("end")
    steps = ends.select(
        "sensor_id",
        ((F.unix_micros("end") - F.unix_micros(F.lag("end").over(by_end))) / 1000000).cast("int").alias("step"),
    ).filter(F.col("step") > 0)
    counts = steps.groupBy("sensor_id", "step").agg(F.count(F.lit(1)).alias("n"))
    most = Window.partitionBy("sensor_id").orderBy(F.col("n").desc(), F.col("step").asc())
    intervals = counts.select("sensor_id", F.col("step").alias("archive_interval"),
                              F.row_number().over(most).alias("rank")).filter(F.col("rank") == 1).drop("rank")
    typed = typed.join(intervals, "sensor_id", "left")

    tz, tz_known, end = F.col("timezone"), F.col("tz_known"), F.col("end")
    value_text = F.col("csv_value")
    reason = (
        F.when(tz.isNull(), "unknown location: no snapshot of the location in dev.locations")
        .when(~tz_known, F.concat(F.lit("unknown location timezone: "), tz))
        .when(F.col("sensor_id").isNull(), "missing or non-integer sensors_id")
        .when(~F.col("row_location_id").eqNullSafe(F.col("location_id")), "location_id differs from the archive key's")
        .when(end.isNull(), "unparseable datetime (local period end with UTC offset)")
        .when(value_text.isNull() | (F.trim(value_text) == ""), "value is null")
        .when(F.col("value").isNull(), "value is not a number")
        .when(F.col("parameter_id").isNull(), "no parameter id for this name and units in /v3/parameters")
    )
    local_date = local_date_of(end, tz, tz_known)
    interval = F.coalesce(F.col("archive_interval"), F.lit(3600))
    both = F.col("record_latitude").isNotNull() & F.col("record_longitude").isNotNull()
    quarantined = reason.isNotNull()
    rows = typed.select(
        "raw_key", "record_index", "sensor_id", "location_id", F.col("fetched_at").alias("ingested_at"),
        "parameter_id", "parameter", "units", "value",
        F.when(quarantined, value_text).alias("value_raw"),
        F.timestamp_micros(F.unix_micros(end) - interval.cast("bigint") * 1000000).alias("period_start_utc"),
        end.alias("period_end_utc"),
        F.when(quarantined, F.col("csv_datetime")).alias("period_end_raw"),
        "timezone", local_date.alias("local_date"), interval.cast("int").alias("interval_seconds"),
        F.when(both, F.col("record_latitude")).otherwise(F.col("location_latitude")).alias("latitude"),
        F.when(both, F.col("record_longitude")).otherwise(F.col("location_longitude")).alias("longitude"),
        F.lit(None).cast("boolean").alias("has_flags"),  # the archive has no flag column: unknown, not "no flags"
        reason.alias("reason"),
        F.coalesce(local_date, F.col("file_date")).alias("partition_date"),
        F.lit("archive").alias("source"),
    ).filter(_in_range(F.col("partition_date"), from_date, to_date))
    return rows.select(*CANDIDATE_COLUMNS).unionByName(invalid.select(*CANDIDATE_COLUMNS))


def dedup(candidates):
    """
    (kept, dropped) of the typed rows: on (sensor_id, period_end_utc) the newest fetch wins, then the greater raw_key,
    then the later record (create_losers). A dropped copy counts for its own day.
    """
    F, T = _sql()
    from pyspark.sql import Window

    w = Window.partitionBy("sensor_id", "period_end_utc").orderBy(
        F.col("ingested_at").desc(), F.col("raw_key").desc(), F.col("record_index").desc())
    ranked = candidates.filter(F.col("reason").isNull()).withColumn("copy", F.row_number().over(w)).cache()
    return ranked.filter(F.col("copy") == 1).drop("copy"), ranked.filter(F.col("copy") > 1).drop("copy")


def _spark_column(name, sql_type):
    """A column cast to its table type; TIMESTAMP is written as TIMESTAMP_NTZ."""
    F, T = _sql()
    return F.col(name).cast(_spark_type(T, sql_type)).alias(name)


def _object_rows(entries, versions, bucket, archive, known_zones):
    """The manifest's objects as builtin tuples for createDataFrame, each with its location's zone and coordinates."""
    rows = []
    for e in entries:
        tz, lat, lon = resolve_context(e, versions)
        common = (
            e["raw_key"], "s3://%s/%s" % (bucket, e["raw_key"]),
            int(e["location_id"]) if e.get("location_id") is not None else None,
            _ts(e["fetched_at"]),
            e.get("valid") if isinstance(e.get("valid"), bool) else None,
            e.get("validation_error"),
            tz, tz in known_zones,
            float(lat) if lat is not None else None, float(lon) if lon is not None else None,
        )
        if archive:
            fd = e["file_date"]
            rows.append(common + (date.fromisoformat(fd) if isinstance(fd, str) else fd,))
        else:
            rows.append(common + (int(e["sensor_id"]), _ts(e.get("window_to_utc"))))
    return rows


def _object_schema(T, archive):
    f = T.StructField
    fields = [
        f("raw_key", T.StringType()), f("path", T.StringType()), f("location_id", T.LongType()),
        f("fetched_at", T.TimestampType()), f("valid", T.BooleanType()), f("validation_error", T.StringType()),
        f("timezone", T.StringType()), f("tz_known", T.BooleanType()),
        f("location_latitude", T.DoubleType()), f("location_longitude", T.DoubleType()),
    ]
    if archive:
        return T.StructType(fields + [f("file_date", T.DateType())])
    return T.StructType(fields + [f("sensor_id", T.LongType()), f("window_to_utc", T.TimestampType())])


def iso_utc_micros(micros):
    return (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=micros)).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_stats(candidates, kept, dropped):
    """Per-day reconciliation counts (raw = rows + quarantined + duplicates dropped): groupBy/agg, one row per day."""
    F, T = _sql()
    stats = {}

    def day(d):
        return stats.setdefault(d.isoformat(), {})

    for r in candidates.groupBy("partition_date").agg(
        F.count(F.lit(1)).alias("raw_rows"),
        F.sum(F.when(F.col("reason").isNotNull(), 1).otherwise(0)).alias("quarantined_rows"),
    ).collect():
        day(r["partition_date"]).update(raw_rows=r["raw_rows"], quarantined_rows=r["quarantined_rows"])
    for r in kept.groupBy("local_date").agg(
        F.count(F.lit(1)).alias("rows"),
        F.min(F.unix_micros("period_end_utc")).alias("lo"),
        F.max(F.unix_micros("period_end_utc")).alias("hi"),
    ).collect():
        day(r["local_date"]).update(rows=r["rows"], min_period_end_utc=iso_utc_micros(r["lo"]),
                                    max_period_end_utc=iso_utc_micros(r["hi"]))
    for r in dropped.groupBy("partition_date").agg(F.count(F.lit(1)).alias("n")).collect():
        day(r["partition_date"])["duplicates_dropped"] = r["n"]
    return stats


def main(argv):
    args = parse_args(argv)
    import boto3
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from_date = date.fromisoformat(args.from_date)
    to_date = date.fromisoformat(args.to_date)
    s3 = boto3.client("s3")
    bucket = args.bucket

    def read_key(key):
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    manifest = json.loads(read_key(args.manifest_key)) if args.manifest_key else {}
    entries = json.loads(args.raw_keys_json) if args.raw_keys_json else manifest.get("objects", [])
    archive_entries = manifest.get("archive_objects", [])
    rules = load_rules(read_key(args.rules_s3_key).decode("utf-8"))
    parameters = parameter_lookup(json.loads(read_key(k)) for k in manifest.get("parameter_keys", []))

    spark = (
        SparkSession.builder.appName("job_raw_to_dev")
        # Instants are computed in UTC; written as TIMESTAMP_NTZ (INT64 micros, isAdjustedToUTC=false), the type
        # DuckDB writes for TIMESTAMP. (With timestampType=TIMESTAMP_NTZ, CAST(x AS TIMESTAMP) would mean NTZ and drop
        # a string's offset: the job names TimestampType, the instant type, wherever it parses text.)
        .config("spark.sql.session.timeZone", "UTC")
        # A cast that fails gives NULL (the quarantine reasons rely on it), not an error: ANSI mode off, explicitly.
        .config("spark.sql.ansi.enabled", "false")
        # from_json's PERMISSIVE partial results: a value that does not convert nulls its whole top-level field (the
        # job puts each typed leaf in its own top-level field). The default is true since Spark 3.4 (keep the rest
        # of a nested field): pinned, so the job's behaviour does not depend on the default.
        .config("spark.sql.json.enablePartialResults", "false")
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .config("spark.sql.parquet.compression.codec", "snappy")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .getOrCreate()
    )
    sc = spark.sparkContext
    known_zones = jvm_zone_ids(spark)
    # No _SUCCESS object beside the part file.
    sc._jsc.hadoopConfiguration().set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")

    if args.timezones_json:
        versions = location_versions_from(json.loads(args.timezones_json))
    elif manifest.get("location_keys"):
        paths = ["s3://%s/%s" % (bucket, k) for k in manifest["location_keys"]]
        rows = spark.read.parquet(*paths).select("location_id", "timezone", "latitude", "longitude",
                                                 "valid_from").collect()
        versions = location_versions_from([r.asDict() for r in rows])
    else:
        versions = location_versions_from(manifest.get("locations", []))

    # The manifest as DataFrames of builtin values (createDataFrame pickles them to the JVM).
    api_objects = spark.createDataFrame(_object_rows(entries, versions, bucket, False, known_zones), _object_schema(T, False))
    candidates = api_candidates(spark, api_objects, from_date, to_date)
    if archive_entries:
        archive_objects = spark.createDataFrame(_object_rows(archive_entries, versions, bucket, True, known_zones),
                                                _object_schema(T, True))
        params = spark.createDataFrame(
            [(name, units, pid) for (name, units), pid in sorted(parameters.items(), key=lambda kv: kv[1])
             if isinstance(name, str) and isinstance(units, str)],
            T.StructType([T.StructField("parameter", T.StringType()), T.StructField("units", T.StringType()),
                          T.StructField("parameter_id", T.IntegerType())]),
        )
        candidates = candidates.unionByName(archive_candidates(spark, archive_objects, params, from_date, to_date))
    candidates = candidates.cache()
    kept, dropped = dedup(candidates)
    stats = day_stats(candidates, kept, dropped)

    rows_df = with_quality(spark, kept, rules).select(*[_spark_column(c, t) for c, t in MEASUREMENTS_COLUMNS]).cache()
    # Each quarantine row goes to the day it is counted under (its partition date; local_date may be unknown).
    q_df = candidates.filter(F.col("reason").isNotNull()).select(
        *[_spark_column(c, t) for c, t in QUARANTINE_COLUMNS], F.col("partition_date").alias("_partition_date")
    ).cache()

    staging = "%s%s/" % (args.tmp_prefix, args.run_id)

    def write_day(df, kind, day, key, sort):
        """One Snappy Parquet object for the day: one partition, sorted within it (an orderBy then coalesce(1) may
        lose the order), written to staging, then copied to its key."""
        prefix = "%s%s/%s/" % (staging, kind, day.isoformat())
        out = df.repartition(1).sortWithinPartitions(*sort)
        out.write.mode("overwrite").parquet("s3://%s/%s" % (bucket, prefix))
        return publish_single_part(s3, bucket, prefix, key)

    days = []
    try:
        d = from_date
        while d <= to_date:
            s = stats.get(d.isoformat(), {})
            out = {
                "local_date": d.isoformat(),
                "raw_rows": s.get("raw_rows", 0),
                "rows": s.get("rows", 0),
                "quarantined_rows": s.get("quarantined_rows", 0),
                "duplicates_dropped": s.get("duplicates_dropped", 0),
                "min_period_end_utc": s.get("min_period_end_utc"),
                "max_period_end_utc": s.get("max_period_end_utc"),
                "data_key": None,
                "data_bytes": None,
                "quarantine_key": None,
                "quarantine_bytes": None,
            }
            if out["rows"] > 0:
                key = version_key(args.output_key_template, d)
                out["data_bytes"] = write_day(rows_df.filter(F.col("local_date") == F.lit(d)), "data", d, key,
                                              ("sensor_id", "period_end_utc"))
                out["data_key"] = key
            if out["quarantined_rows"] > 0:
                key = version_key(args.quarantine_key_template, d)
                day_q = q_df.filter(F.col("_partition_date") == F.lit(d)).drop("_partition_date")
                out["quarantine_bytes"] = write_day(day_q, "quarantine", d, key, ("raw_key", "record_index"))
                out["quarantine_key"] = key
            days.append(out)
            d += timedelta(days=1)
    finally:
        # Staging goes: what is under it (never another run's, whose id may start with this one's) and the marker
        # objects EMRFS left for the folders it created (`<folder>_$folder$`, the staging folder's and its ancestors').
        delete_keys(s3, bucket, list_keys(s3, bucket, staging) + folder_markers(staging, args.tmp_prefix))

    result = {
        "run_id": args.run_id,
        "from_date": args.from_date,
        "to_date": args.to_date,
        "objects": len(entries),
        "archive_objects": len(archive_entries),
        "rules_version": SUPPORTED_RULES_VERSION,
        "days": days,
    }
    s3.put_object(Bucket=bucket, Key=args.stats_key, Body=json.dumps(result).encode("utf-8"),
                  ContentType="application/json")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
