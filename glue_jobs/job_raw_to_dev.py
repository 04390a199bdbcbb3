"""job_raw_to_dev: raw OpenAQ /measurements and archive objects in S3 -> dev.measurements as Snappy Parquet (AWS Glue
5.0, Spark 3.5, PySpark).

The AWS twin of the DuckDB transform (sql/dev/measurements.sql): the same columns (ARCHITECTURE section 4), the same
local_date rule, the same dedup, the same quarantine reasons, and the quality flags of the SAME spec file
(sql/dev/quality-rules.json, uploaded beside this script and passed as --rules_s3_key).

The rules live in plain Python functions (no Spark import at module level), so the tests run them with python3 on a
laptop; Spark only distributes them: flatMap over the raw objects, reduceByKey for the dedup, one write per day.
Everything broadcast or shipped to executors is a builtin type (no class of this script): see the broadcast test.

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
import math
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


def quality_of(value, parameter, units, period_end_utc, fetched_at, rules):
    """The quality flag of a kept row (sql/dev/measurements.sql copy_measurements)."""
    lo, hi = rules["ranges"].get((parameter, units), (None, None))
    if value <= rules["sentinel_max"]:
        return "sentinel"
    # Without a range, negatives are flagged; a range whose min is below 0 allows them.
    if value < 0 and (lo if lo is not None else 0) >= 0:
        return "negative"
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return "out_of_range"
    if period_end_utc > fetched_at + timedelta(seconds=rules["future_tolerance_seconds"]):
        return "future"
    return "ok"


# --- parsing the raw record's leaves --------------------------------------------------------------------------

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


_INTERVAL = re.compile(r"^(?:(\d+) days? )?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")


def interval_seconds_of(text):
    """OpenAQ's period.interval ('01:00:00', '00:15:00', '24:00:00') -> seconds; None if unreadable."""
    if not isinstance(text, str):
        return None
    m = _INTERVAL.match(text.strip())
    if not m:
        return None
    days, h, mi, s = m.groups()
    seconds = int(days or 0) * 86400 + int(h) * 3600 + int(mi) * 60 + float(s)
    value = int(math.floor(seconds + 0.5))
    return value if INT32_MIN <= value <= INT32_MAX else None


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_integer(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _reject_constant(name):
    raise ValueError("not JSON: %s" % name)


def parse_json(text):
    """Strict JSON: NaN and Infinity are not JSON (DuckDB refuses them too)."""
    return json.loads(text, parse_constant=_reject_constant)


def json_text(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


# --- time zones ------------------------------------------------------------------------------------------------

_zone_cache = {}


def zone(name):
    """The IANA zone, or None when the name is unknown."""
    if name in _zone_cache:
        return _zone_cache[name]
    from zoneinfo import ZoneInfo

    try:
        z = ZoneInfo(name) if isinstance(name, str) and name else None
    except Exception:
        z = None
    _zone_cache[name] = z
    return z


def require_zone_database():
    if zone("America/New_York") is None:
        raise RuntimeError("no IANA time zone database on this worker: local dates cannot be computed")


def local_date_of(period_end_utc, tz):
    """OpenAQ's day rule: the local date of (period end - 1 s) in the location's zone."""
    return (period_end_utc - timedelta(seconds=1)).astimezone(zone(tz)).date()


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


# --- one raw object -> candidate rows and quarantine rows --------------------------------------------------------

OBJECT_REASON_UNREADABLE = "unreadable raw object: "
OBJECT_REASON_INVALID_EMPTY = "raw object failed validation and yields no record"


def _utc_day_before(instant):
    return (instant - timedelta(seconds=1)).date()


def _object_partition_date(fetched_at, window_to_utc):
    bound = min(x for x in (window_to_utc, fetched_at) if x is not None)
    return _utc_day_before(bound)


def flatten_object(entry, text, context, from_date, to_date):
    """
    Yields ("row", row) for each typed record and ("quarantine", row) for each record (or object) that cannot be
    typed, both as dicts, keeping only those whose day falls in from_date..to_date (dates). text: str or bytes.
    """
    tz, loc_lat, loc_lon = context
    fetched_at = _ts(entry["fetched_at"])
    window_to = _ts(entry.get("window_to_utc"))
    base = {
        "raw_key": entry["raw_key"],
        "sensor_id": entry["sensor_id"],
        "location_id": entry.get("location_id"),
        "ingested_at": fetched_at,
        "timezone": tz,
    }

    def object_row(reason):
        day = _object_partition_date(fetched_at, window_to)
        if from_date <= day <= to_date:
            row = dict.fromkeys(c for c, _ in QUARANTINE_COLUMNS)
            row.update(base, reason=reason, partition_date=day)
            yield "quarantine", row

    try:
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf-8")
        doc = parse_json(text)
        results = doc.get("results") if isinstance(doc, dict) else None
        if isinstance(doc, dict) and results is not None and not isinstance(results, list):
            raise ValueError("results is not a list")
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
    except ValueError as err:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        yield from object_row(OBJECT_REASON_UNREADABLE + str(err))
        return
    results = results or []
    if not results and entry.get("valid") is False:
        err = entry.get("validation_error")
        yield from object_row(OBJECT_REASON_INVALID_EMPTY + (": " + err if err else ""))
        return

    tz_known = tz is not None and zone(tz) is not None
    for index, r in enumerate(results, start=1):
        yield from _record(entry, base, r if isinstance(r, dict) else {}, index, tz, tz_known, loc_lat, loc_lon,
                           fetched_at, window_to, from_date, to_date)


def _get(d, *path):
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def _record(entry, base, r, index, tz, tz_known, loc_lat, loc_lon, fetched_at, window_to, from_date, to_date):
    value_json = r.get("value")
    value = float(value_json) if is_number(value_json) else None
    pid = _get(r, "parameter", "id")
    parameter_id = pid if is_integer(pid) and INT32_MIN <= pid <= INT32_MAX else None
    name = _get(r, "parameter", "name")
    units = _get(r, "parameter", "units")
    start_json = _get(r, "period", "datetimeFrom", "utc")
    end_json = _get(r, "period", "datetimeTo", "utc")
    start = parse_utc(start_json)
    end = parse_utc(end_json)
    lat = _get(r, "coordinates", "latitude")
    lon = _get(r, "coordinates", "longitude")
    flags = _get(r, "flagInfo", "hasFlags")

    if base["location_id"] is None:
        reason = "no location id for the sensor in the raw manifest"
    elif tz is None:
        reason = "unknown location: no snapshot of the location in dev.locations"
    elif not tz_known:
        reason = "unknown location timezone: " + tz
    elif end is None:
        reason = "unparseable period end (period.datetimeTo.utc)"
    elif start is None:
        reason = "unparseable period start (period.datetimeFrom.utc)"
    elif value_json is None:
        reason = "value is null"
    elif value is None:
        reason = "value is not a number"
    elif parameter_id is None:
        reason = "missing or non-integer parameter.id"
    else:
        reason = None

    local_date = local_date_of(end, tz) if tz_known and end is not None else None
    interval = interval_seconds_of(_get(r, "period", "interval"))
    if interval is None and start is not None and end is not None:
        interval = int(math.floor((end - start).total_seconds() + 0.5))
    both = is_number(lat) and is_number(lon)
    if local_date is not None:
        partition_date = local_date
    elif end is not None:
        partition_date = _utc_day_before(end)
    else:
        partition_date = _object_partition_date(fetched_at, window_to)
    if not (from_date <= partition_date <= to_date):
        return

    row = {
        "raw_key": base["raw_key"],
        "record_index": index,
        "sensor_id": base["sensor_id"],
        "location_id": base["location_id"],
        "ingested_at": fetched_at,
        "parameter_id": parameter_id,
        "parameter": name if isinstance(name, str) else None,
        "units": units if isinstance(units, str) else None,
        "value": value,
        "period_start_utc": start,
        "period_end_utc": end,
        "timezone": tz,
        "local_date": local_date,
        "interval_seconds": interval,
        "latitude": float(lat) if both else (float(loc_lat) if loc_lat is not None else None),
        "longitude": float(lon) if both else (float(loc_lon) if loc_lon is not None else None),
        "has_flags": flags if isinstance(flags, bool) else None,
        "partition_date": partition_date,
    }
    if reason is None:
        yield "row", row
    else:
        q = {c: row.get(c) for c, _ in QUARANTINE_COLUMNS}
        q.update(
            reason=reason,
            value_raw=json_text(value_json) if "value" in r else None,
            period_end_raw=json_text(end_json) if end_json is not None else None,
            partition_date=partition_date,
        )
        yield "quarantine", q


# --- one raw archive object (.csv.gz of a location's local day) -> candidate rows (sql/dev/archive_measurements.sql)

ARCHIVE_FIELDS = ("location_id", "sensors_id", "location", "datetime", "lat", "lon", "parameter", "units", "value")
_OFFSET_AT_END = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)$")
_INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
ARCHIVE_INVALID = "raw archive object failed the extract's check"


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


def _bigint(text):
    t = text.strip() if isinstance(text, str) else None
    return int(t) if t and _INTEGER_TEXT.match(t) else None


def _double(text):
    t = text.strip() if isinstance(text, str) else None
    if not t or "_" in t:
        return None
    try:
        return float(t)
    except ValueError:
        return None


def read_archive_csv(data):
    """The records of an archive object (gzip bytes or text) as dicts of text (None for an empty field)."""
    import csv
    import gzip
    import io

    if isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    else:
        text = data
    records = list(csv.reader(io.StringIO(text, newline="")))
    out = []
    for fields in records[1:]:
        if not fields:
            continue
        values = [f if f != "" else None for f in fields] + [None] * (len(ARCHIVE_FIELDS) - len(fields))
        out.append(dict(zip(ARCHIVE_FIELDS, values)))
    return out


def flatten_archive_object(entry, data, context, parameters, from_date, to_date):
    """
    Yields ("row", row) and ("quarantine", row) like flatten_object, for an archive object, and ("outside", row) for
    a record of another day (it still counts for its sensor's interval). Rows still lack their interval (the sensor's
    most common step across every archive record at hand): finish_archive_row sets it.
    entry: {"raw_key", "location_id", "file_date", "fetched_at", "valid", "validation_error"}.
    """
    tz, loc_lat, loc_lon = context
    fetched_at = _ts(entry["fetched_at"])
    file_date = date.fromisoformat(entry["file_date"]) if isinstance(entry["file_date"], str) else entry["file_date"]
    file_location = entry["location_id"]
    tz_known = tz is not None and zone(tz) is not None
    if entry.get("valid") is False:
        if from_date <= file_date <= to_date:
            err = entry.get("validation_error")
            row = dict.fromkeys(c for c, _ in QUARANTINE_COLUMNS)
            row.update(raw_key=entry["raw_key"], location_id=file_location, ingested_at=fetched_at, timezone=tz,
                       reason=ARCHIVE_INVALID + (": " + err if err else ""), partition_date=file_date)
            yield "quarantine", row
        return
    records = read_archive_csv(data)
    # CSV has no line number: a rank by content, stable across re-runs (NULLs last, as DuckDB orders them).
    order = ("sensors_id", "datetime", "value", "parameter", "units", "location_id", "lat", "lon")
    records.sort(key=lambda x: tuple((x[k] is None, x[k] or "") for k in order))
    for index, x in enumerate(records):
        sensor_id = _bigint(x["sensors_id"])
        row_location = _bigint(x["location_id"])
        value_text = x["value"]
        value = _double(value_text)
        stamp = (x["datetime"] or "").strip()
        end = parse_utc(stamp) if _OFFSET_AT_END.search(stamp) else None
        pid = parameters.get((x["parameter"], x["units"]))
        if tz is None:
            reason = "unknown location: no snapshot of the location in dev.locations"
        elif not tz_known:
            reason = "unknown location timezone: " + tz
        elif sensor_id is None:
            reason = "missing or non-integer sensors_id"
        elif row_location != file_location:
            reason = "location_id differs from the archive key's"
        elif end is None:
            reason = "unparseable datetime (local period end with UTC offset)"
        elif value_text is None or value_text.strip() == "":
            reason = "value is null"
        elif value is None:
            reason = "value is not a number"
        elif pid is None:
            reason = "no parameter id for this name and units in /v3/parameters"
        else:
            reason = None
        local_date = local_date_of(end, tz) if tz_known and end is not None else None
        partition_date = local_date if local_date is not None else file_date
        outside = not (from_date <= partition_date <= to_date)
        lat, lon = _double(x["lat"]), _double(x["lon"])
        both = lat is not None and lon is not None
        row = {
            "raw_key": entry["raw_key"],
            "record_index": index,
            "sensor_id": sensor_id,
            "location_id": file_location,
            "ingested_at": fetched_at,
            "parameter_id": pid,
            "parameter": x["parameter"],
            "units": x["units"],
            "value": value,
            "period_start_utc": None,
            "period_end_utc": end,
            "timezone": tz,
            "local_date": local_date,
            "interval_seconds": None,
            "latitude": lat if both else (float(loc_lat) if loc_lat is not None else None),
            "longitude": lon if both else (float(loc_lon) if loc_lon is not None else None),
            "has_flags": None,
            "partition_date": partition_date,
            "source": "archive",
        }
        if outside:
            yield "outside", row
        elif reason is None:
            yield "row", row
        else:
            q = {c: row.get(c) for c, _ in QUARANTINE_COLUMNS}
            q.update(reason=reason, value_raw=value_text, period_end_raw=x["datetime"], partition_date=partition_date,
                     source="archive")
            yield "quarantine", q


def archive_steps(rows):
    """(sensor_id, seconds between consecutive distinct period ends) of archive rows, for archive_intervals."""
    ends = {}
    for r in rows:
        if r.get("sensor_id") is not None and r.get("period_end_utc") is not None:
            ends.setdefault(r["sensor_id"], set()).add(r["period_end_utc"])
    for sensor, stamps in ends.items():
        s = sorted(stamps)
        for a, b in zip(s, s[1:]):
            yield sensor, int((b - a).total_seconds())


def archive_intervals(steps):
    """sensor_id -> its most common positive step (the smallest on a tie); a dict of ints, safe to broadcast."""
    counts = {}
    for sensor, step in steps:
        if step > 0:
            c = counts.setdefault(sensor, {})
            c[step] = c.get(step, 0) + 1
    return {s: min(c, key=lambda k: (-c[k], k)) for s, c in counts.items()}


def finish_archive_row(row, intervals):
    """Sets interval_seconds (an hour when the sensor has a single row) and period_start_utc of an archive row."""
    if row.get("source") != "archive":
        return row
    out = dict(row)
    out["interval_seconds"] = intervals.get(row.get("sensor_id"), 3600)
    if out.get("period_end_utc") is not None:
        out["period_start_utc"] = out["period_end_utc"] - timedelta(seconds=out["interval_seconds"])
    return out


# --- dedup and the finished row ----------------------------------------------------------------------------------


def dedup_key(row):
    return (row["sensor_id"], row["period_end_utc"])


def newest(a, b):
    """Of two rows with the same key, the newest fetch wins, then the greater raw_key, then the later record."""
    ka = (a["ingested_at"], a["raw_key"], a["record_index"])
    kb = (b["ingested_at"], b["raw_key"], b["record_index"])
    return a if ka >= kb else b


def combine(a, b):
    """
    reduceByKey over (row, dropped days): keep the newest row; each dropped copy counts for its own day (with a zone
    change between fetches, a copy can fall on another local day than the row that wins).
    """
    winner = newest(a[0], b[0])
    loser = b[0] if winner is a[0] else a[0]
    return (winner, a[1] + b[1] + (loser["partition_date"],))


def finish(row, rules):
    """A kept row as dev.measurements stores it (column order of MEASUREMENTS_COLUMNS)."""
    out = dict(row)
    out["quality"] = quality_of(
        row["value"], row["parameter"], row["units"], row["period_end_utc"], row["ingested_at"], rules
    )
    out["source"] = row.get("source", "api")
    return tuple(out[c] for c, _ in MEASUREMENTS_COLUMNS)


def quarantine_tuple(row):
    return tuple(row.get(c) for c, _ in QUARANTINE_COLUMNS)


def day_stats(all_rows, kept):
    """Per-day reconciliation counts (raw = rows + quarantined + duplicates dropped) from plain iterables."""
    stats = {}

    def day(d):
        return stats.setdefault(d.isoformat(), {
            "raw_rows": 0, "rows": 0, "quarantined_rows": 0, "duplicates_dropped": 0,
            "min_period_end_utc": None, "max_period_end_utc": None,
        })

    for kind, row in all_rows:
        s = day(row["partition_date"])
        s["raw_rows"] += 1
        if kind == "quarantine":
            s["quarantined_rows"] += 1
    for row, dropped in kept:
        for d in dropped:
            day(d)["duplicates_dropped"] += 1
        s = day(row["local_date"])
        s["rows"] += 1
        end = iso_utc(row["period_end_utc"])
        s["min_period_end_utc"] = min(filter(None, [s["min_period_end_utc"], end]))
        s["max_period_end_utc"] = max(filter(None, [s["max_period_end_utc"], end]))
    return stats


def iso_utc(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def transform_objects(entries, read_text, versions, rules, from_date, to_date, archive_entries=(), parameters=None):
    """
    The whole transform without Spark, for tests and small runs: (rows, quarantine rows, stats by day).
    read_text(raw_key) -> str (bytes for an archive object).
    """
    flat = []
    for e in entries:
        text = read_text(e["raw_key"])
        flat.extend(flatten_object(e, text, resolve_context(e, versions), from_date, to_date))
    archive = []
    for e in archive_entries:
        data = read_text(e["raw_key"]) if e.get("valid") is not False else None
        archive.extend(flatten_archive_object(e, data, resolve_context(e, versions), parameters or {}, from_date,
                                              to_date))
    intervals = archive_intervals(archive_steps(r for _, r in archive))
    flat.extend((k, finish_archive_row(r, intervals)) for k, r in archive if k != "outside")
    groups = {}
    for kind, row in flat:
        if kind == "row":
            k = dedup_key(row)
            groups[k] = combine(groups[k], (row, ())) if k in groups else (row, ())
    kept = list(groups.values())
    rows = sorted((finish(r, rules) for r, _ in kept), key=lambda t: (t[9], t[1], t[7]))
    quarantine = [quarantine_tuple(r) for kind, r in flat if kind == "quarantine"]
    return rows, quarantine, day_stats(flat, kept)


# --- Spark ---------------------------------------------------------------------------------------------------------


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


def naive_utc(values):
    """A row tuple for TimestampNTZType columns: aware datetimes become naive UTC wall time."""
    return tuple(v.astimezone(timezone.utc).replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo else v
                 for v in values)


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


def main(argv):
    args = parse_args(argv)
    import boto3
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T

    require_zone_database()
    from_date = date.fromisoformat(args.from_date)
    to_date = date.fromisoformat(args.to_date)
    s3 = boto3.client("s3")
    bucket = args.bucket

    def read_key(key):
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    manifest = json.loads(read_key(args.manifest_key)) if args.manifest_key else {}
    entries = json.loads(args.raw_keys_json) if args.raw_keys_json else manifest.get("objects", [])
    archive_entries = manifest.get("archive_objects", [])
    # Everything sent to executors or broadcast is builtin (dict, list, tuple, str, int, float, datetime): Spark
    # pickles broadcast values with plain pickle, and a class of this script (__main__) does not unpickle there.
    rules = load_rules(read_key(args.rules_s3_key).decode("utf-8"))
    parameters = parameter_lookup(json.loads(read_key(k)) for k in manifest.get("parameter_keys", []))

    spark = (
        SparkSession.builder.appName("job_raw_to_dev")
        # Naive UTC everywhere; Parquet timestamps as INT64 micros (not INT96), TIMESTAMP_NTZ (no UTC adjustment).
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .config("spark.sql.parquet.compression.codec", "snappy")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .getOrCreate()
    )
    sc = spark.sparkContext
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
    for e in entries + archive_entries:
        e["_context"] = resolve_context(e, versions)

    def read_partition(part):
        import boto3 as b3

        client = b3.client("s3")
        require_zone_database()
        for e in part:
            body = client.get_object(Bucket=bucket, Key=e["raw_key"])["Body"].read()
            yield from flatten_object(e, body, e["_context"], from_date, to_date)

    params_bc = sc.broadcast(parameters)

    def read_archive_partition(part):
        import boto3 as b3

        client = b3.client("s3")
        require_zone_database()
        for e in part:
            body = client.get_object(Bucket=bucket, Key=e["raw_key"])["Body"].read() if e.get("valid") is not False \
                else None
            yield from flatten_archive_object(e, body, e["_context"], params_bc.value, from_date, to_date)

    slices = max(1, min(len(entries), 4 * sc.defaultParallelism))
    flat = sc.parallelize(entries, slices).mapPartitions(read_partition)
    if archive_entries:
        a_slices = max(1, min(len(archive_entries), 4 * sc.defaultParallelism))
        archive = sc.parallelize(archive_entries, a_slices).mapPartitions(read_archive_partition).cache()
        # The sensor's most common step between distinct period ends: small (one int per sensor), computed on the
        # driver from the distinct (sensor, end) pairs and broadcast as a dict of ints.
        pairs = (archive.map(lambda x: (x[1].get("sensor_id"), x[1].get("period_end_utc")))
                 .filter(lambda p: p[0] is not None and p[1] is not None).distinct().collect())
        intervals_bc = sc.broadcast(archive_intervals(archive_steps(
            {"sensor_id": s, "period_end_utc": e} for s, e in pairs)))
        flat = flat.union(archive.filter(lambda x: x[0] != "outside")
                          .map(lambda x: (x[0], finish_archive_row(x[1], intervals_bc.value))))
    flat = flat.cache()
    kept = (
        flat.filter(lambda x: x[0] == "row")
        .map(lambda x: (dedup_key(x[1]), (x[1], ())))
        .reduceByKey(combine)
        .values()
        .cache()
    )
    rules_bc = sc.broadcast(rules)

    # Counts on the driver: tiny (one entry per day).
    stats = {}
    for day, (raw, quarantined) in (
        flat.map(lambda x: (x[1]["partition_date"].isoformat(), (1, 1 if x[0] == "quarantine" else 0)))
        .reduceByKey(lambda a, b: (a[0] + b[0], a[1] + b[1]))
        .collect()
    ):
        stats.setdefault(day, {}).update(raw_rows=raw, quarantined_rows=quarantined)
    for day, (n, lo, hi) in (
        kept.map(lambda rn: (rn[0]["local_date"].isoformat(), (1, rn[0]["period_end_utc"], rn[0]["period_end_utc"])))
        .reduceByKey(lambda a, b: (a[0] + b[0], min(a[1], b[1]), max(a[2], b[2])))
        .collect()
    ):
        stats.setdefault(day, {}).update(rows=n, min_period_end_utc=iso_utc(lo), max_period_end_utc=iso_utc(hi))
    for day, dups in kept.flatMap(lambda rn: [(d.isoformat(), 1) for d in rn[1]]).reduceByKey(lambda a, b: a + b).collect():
        stats.setdefault(day, {})["duplicates_dropped"] = dups

    schema = T.StructType([T.StructField(c, _spark_type(T, t), True) for c, t in MEASUREMENTS_COLUMNS])
    q_schema = T.StructType([T.StructField(c, _spark_type(T, t), True) for c, t in QUARANTINE_COLUMNS])
    rows_df = spark.createDataFrame(kept.map(lambda rn: naive_utc(finish(rn[0], rules_bc.value))), schema).cache()
    q_df = spark.createDataFrame(
        # Each quarantine row goes to the day it is counted under (its partition date; local_date may be unknown).
        flat.filter(lambda x: x[0] == "quarantine").map(
            lambda x: naive_utc(quarantine_tuple(x[1])) + (x[1]["partition_date"],)),
        T.StructType(q_schema.fields + [T.StructField("_partition_date", T.DateType(), True)]),
    ).cache()

    staging = "%s%s/" % (args.tmp_prefix, args.run_id)

    def write_day(df, kind, day, key, sort):
        """One Snappy Parquet object for the day: one partition, sorted within it (an orderBy then coalesce(1) may
        lose the order), written to staging, then copied to its key."""
        prefix = "%s%s/%s/" % (staging, kind, day.isoformat())
        out = df.repartition(1)
        if sort:
            out = out.sortWithinPartitions(*sort)
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
                out["data_bytes"] = write_day(rows_df.filter(rows_df.local_date == d), "data", d, key,
                                              ("sensor_id", "period_end_utc"))
                out["data_key"] = key
            if out["quarantined_rows"] > 0:
                key = version_key(args.quarantine_key_template, d)
                day_q = q_df.filter(q_df._partition_date == d).drop("_partition_date")
                out["quarantine_bytes"] = write_day(day_q, "quarantine", d, key, ("raw_key", "record_index"))
                out["quarantine_key"] = key
            days.append(out)
            d += timedelta(days=1)
    finally:
        # Staging goes, with any marker objects (`…_$folder$`) the S3 file system left beside its folders.
        delete_keys(s3, bucket, list_keys(s3, bucket, staging.rstrip("/")))

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
