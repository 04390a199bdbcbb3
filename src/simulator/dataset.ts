// The simulated world: parameters, countries, 8 locations in 6 time zones and their 27 sensors, all fixed by the seed and the creation clock.
import { DAY_MS } from './zone-time.js';

export interface ParameterDef {
  id: number;
  name: string;
  units: string;
  displayName: string | null;
  description: string | null;
  parameterType: 'pollutant' | 'meteorological';
}

export interface CountryDef {
  id: number;
  code: string;
  name: string;
}

interface LicenseDef {
  id: number;
  name: string;
  attribution: { name: string; url: string | null };
  dateFrom: string | null;
  dateTo: string | null;
}

/** How a sensor's values are drawn (see values.ts). */
interface ValueProfile {
  kind: 'pm' | 'o3' | 'no2' | 'temperature';
  /** Typical level (µg/m³, ppm or °C). */
  base: number;
  /** Relative seasonal swing (pollutants) or degrees (temperature). */
  seasonalAmplitude: number;
  /** Day of year of the seasonal peak. */
  seasonPeakDay: number;
  decimals: number;
  /** No gaps, no negatives, no sentinels: a sensor tests can count hours on. */
  complete: boolean;
}

export interface SimSensor {
  id: number;
  locationId: number;
  timezone: string;
  latitude: number;
  longitude: number;
  parameter: ParameterDef;
  /** Logging (= averaging) period. */
  intervalSeconds: number;
  /** Period ends fall on epoch multiples of the interval plus this phase (1800 puts hourly data on :30 UTC). */
  phaseSeconds: number;
  /** The first period end the sensor ever reports (epoch ms). */
  firstPeriodEndMs: number;
  /** The last period end of a sensor that stopped reporting, or null for one that still reports up to "now". */
  lastPeriodEndMs: number | null;
  seed: number;
  profile: ValueProfile;
}

export interface SimLocation {
  id: number;
  name: string;
  locality: string | null;
  timezone: string;
  country: CountryDef;
  owner: { id: number; name: string };
  provider: { id: number; name: string };
  isMobile: boolean;
  isMonitor: boolean;
  instruments: { id: number; name: string }[];
  licenses: LicenseDef[];
  latitude: number;
  longitude: number;
  sensors: SimSensor[];
}

export interface SimulatedDataset {
  seed: number;
  /** The simulated clock when the dataset was made; sensor lifetimes are placed relative to it. */
  createdAt: Date;
  historyDays: number;
  parameters: ParameterDef[];
  countries: CountryDef[];
  locations: SimLocation[];
  sensors: SimSensor[];
}

// Ids and units follow OpenAQ's measurands table (openaq-db lookups/measurands.sql); descriptions are the API's style.
const PARAMETERS: readonly ParameterDef[] = [
  p(1, 'pm10', 'µg/m³', 'PM10', 'Particulate matter less than 10 micrometers in diameter mass concentration'),
  p(
    2,
    'pm25',
    'µg/m³',
    'PM2.5',
    'Particulate matter less than 2.5 micrometers in diameter mass concentration',
  ),
  p(3, 'o3', 'µg/m³', 'O₃', 'Ozone mass concentration'),
  p(5, 'no2', 'µg/m³', 'NO₂', 'Nitrogen Dioxide mass concentration'),
  p(7, 'no2', 'ppm', 'NO₂', 'Nitrogen Dioxide concentration'),
  p(8, 'co', 'ppm', 'CO', 'Carbon Monoxide concentration'),
  p(9, 'so2', 'ppm', 'SO₂', 'Sulfur Dioxide concentration'),
  p(10, 'o3', 'ppm', 'O₃', 'Ozone concentration'),
  p(19, 'pm1', 'µg/m³', 'PM1', 'Particulate matter less than 1 micrometer in diameter mass concentration'),
  p(98, 'relativehumidity', '%', 'RH', 'Relative Humidity', 'meteorological'),
  p(100, 'temperature', 'c', 'Temperature (C)', 'Temperature (Celsius)', 'meteorological'),
];

function p(
  id: number,
  name: string,
  units: string,
  displayName: string,
  description: string,
  parameterType: ParameterDef['parameterType'] = 'pollutant',
): ParameterDef {
  return { id, name, units, displayName, description, parameterType };
}

const PARAM = {
  pm10: PARAMETERS.find((x) => x.id === 1)!,
  pm25: PARAMETERS.find((x) => x.id === 2)!,
  no2: PARAMETERS.find((x) => x.id === 5)!,
  o3: PARAMETERS.find((x) => x.id === 10)!,
  temperature: PARAMETERS.find((x) => x.id === 100)!,
};

// Country ids for US, IN and GB are those of OpenAQ's mock database (openaq-r fixtures); AU and TH are made up.
const US: CountryDef = { id: 155, code: 'US', name: 'United States' };
const IN: CountryDef = { id: 9, code: 'IN', name: 'India' };
const AU: CountryDef = { id: 26, code: 'AU', name: 'Australia' };
const GB: CountryDef = { id: 79, code: 'GB', name: 'United Kingdom' };
const TH: CountryDef = { id: 111, code: 'TH', name: 'Thailand' };
const COUNTRIES: readonly CountryDef[] = [IN, AU, GB, TH, US];

const license = (id: number, name: string, attribution: string, url: string | null = null): LicenseDef => ({
  id,
  name,
  attribution: { name: attribution, url },
  dateFrom: null,
  dateTo: null,
});
const US_PUBLIC_DOMAIN = license(33, 'US Public Domain', 'AirNow');
const CC_BY_4 = (who: string, url: string | null = null) => license(13, 'CC BY 4.0', who, url);
const GOVERNMENT_MONITOR = { id: 2, name: 'Government Monitor' };
const UNKNOWN_GOVERNMENT = { id: 4, name: 'Unknown Governmental Organization' };

interface SensorSpec {
  suffix: number;
  parameter: ParameterDef;
  profile: Partial<ValueProfile> & Pick<ValueProfile, 'base'>;
  intervalSeconds?: number;
  phaseSeconds?: number;
  /** Starts this many days after the dataset's history begins (a later installation). */
  startsDaysAgo?: number;
  /** Stopped reporting this many days before the dataset was created. */
  stoppedDaysAgo?: number;
}

type LocationSpec = Omit<SimLocation, 'sensors'> & { sensors: SensorSpec[] };

const pm = (base: number, seasonalAmplitude = 0.25, seasonPeakDay = 15): SensorSpec['profile'] => ({
  kind: 'pm',
  base,
  seasonalAmplitude,
  seasonPeakDay,
  decimals: 1,
});
const o3 = (base: number, seasonPeakDay = 180): SensorSpec['profile'] => ({
  kind: 'o3',
  base,
  seasonalAmplitude: 0.3,
  seasonPeakDay,
  decimals: 3,
});
const no2 = (base: number): SensorSpec['profile'] => ({
  kind: 'no2',
  base,
  seasonalAmplitude: 0.2,
  seasonPeakDay: 15,
  decimals: 1,
});
const temperature = (mean: number, amplitude: number, peakDay: number): SensorSpec['profile'] => ({
  kind: 'temperature',
  base: mean,
  seasonalAmplitude: amplitude,
  seasonPeakDay: peakDay,
  decimals: 1,
});

/**
 * Location ids 1001–1008; sensor id = location id × 10 + n. Hourly sensors report on the UTC hour unless a phase is
 * given, so Adelaide (+09:30/+10:30) and Mumbai hourly stamps fall on :30 local time while Delhi (phase 30 min) reports
 * on the local hour. Sensors 10071 and 10072 report every 15 minutes. Sensor 10015 has no gaps or special values.
 * A data literal: the stations repeat the same fields on purpose (each reads as the OpenAQ record it imitates).
 */
const LOCATIONS: readonly LocationSpec[] = [
  {
    id: 1001,
    name: 'Brooklyn - PS 274',
    locality: 'Brooklyn',
    timezone: 'America/New_York',
    country: US,
    owner: UNKNOWN_GOVERNMENT,
    provider: { id: 119, name: 'AirNow' },
    isMobile: false,
    isMonitor: true,
    instruments: [GOVERNMENT_MONITOR],
    licenses: [US_PUBLIC_DOMAIN],
    latitude: 40.6965,
    longitude: -73.9173,
    sensors: [
      { suffix: 1, parameter: PARAM.pm25, profile: pm(8.5) },
      { suffix: 2, parameter: PARAM.pm10, profile: pm(16) },
      { suffix: 3, parameter: PARAM.o3, profile: o3(0.03) },
      { suffix: 4, parameter: PARAM.no2, profile: no2(28) },
      { suffix: 5, parameter: PARAM.temperature, profile: { ...temperature(13, 11, 200), complete: true } },
    ],
  },
  {
    id: 1002,
    name: 'Denver - CAMP',
    locality: 'Denver',
    timezone: 'America/Denver',
    country: US,
    owner: UNKNOWN_GOVERNMENT,
    provider: { id: 119, name: 'AirNow' },
    isMobile: false,
    isMonitor: true,
    instruments: [GOVERNMENT_MONITOR],
    licenses: [US_PUBLIC_DOMAIN],
    latitude: 39.7512,
    longitude: -104.9876,
    sensors: [
      { suffix: 1, parameter: PARAM.pm25, profile: pm(7) },
      { suffix: 2, parameter: PARAM.o3, profile: o3(0.038) },
      { suffix: 3, parameter: PARAM.no2, profile: no2(30) },
    ],
  },
  {
    id: 1003,
    name: 'Anand Vihar, Delhi - DPCC',
    locality: 'Delhi',
    timezone: 'Asia/Kolkata',
    country: IN,
    owner: { id: 41, name: 'Delhi Pollution Control Committee' },
    provider: { id: 168, name: 'CPCB' },
    isMobile: false,
    isMonitor: true,
    instruments: [GOVERNMENT_MONITOR],
    licenses: [license(54, 'GODL-India', 'Central Pollution Control Board', 'https://cpcb.nic.in/')],
    latitude: 28.6469,
    longitude: 77.3164,
    sensors: [
      { suffix: 1, parameter: PARAM.pm25, profile: pm(95, 0.6, 5), phaseSeconds: 1800 },
      { suffix: 2, parameter: PARAM.pm10, profile: pm(190, 0.5, 5), phaseSeconds: 1800 },
      { suffix: 3, parameter: PARAM.no2, profile: no2(55), phaseSeconds: 1800 },
      { suffix: 4, parameter: PARAM.o3, profile: o3(0.025, 130), phaseSeconds: 1800 },
    ],
  },
  {
    id: 1004,
    name: 'Adelaide CBD',
    locality: 'Adelaide',
    timezone: 'Australia/Adelaide',
    country: AU,
    owner: { id: 52, name: 'Environment Protection Authority South Australia' },
    provider: { id: 220, name: 'Australia - South Australia' },
    isMobile: false,
    isMonitor: true,
    instruments: [GOVERNMENT_MONITOR],
    licenses: [CC_BY_4('Environment Protection Authority South Australia')],
    latitude: -34.9285,
    longitude: 138.6007,
    sensors: [
      { suffix: 1, parameter: PARAM.pm25, profile: pm(6, 0.25, 190) },
      { suffix: 2, parameter: PARAM.pm10, profile: pm(14, 0.25, 190) },
      { suffix: 3, parameter: PARAM.temperature, profile: temperature(17.5, 6, 20) },
    ],
  },
  {
    id: 1005,
    name: 'London Marylebone Road',
    locality: 'London',
    timezone: 'Europe/London',
    country: GB,
    owner: { id: 61, name: 'Department for Environment, Food & Rural Affairs' },
    provider: { id: 161, name: 'DEFRA' },
    isMobile: false,
    isMonitor: true,
    instruments: [GOVERNMENT_MONITOR],
    licenses: [license(70, 'Open Government Licence v3.0', 'DEFRA', 'https://uk-air.defra.gov.uk/')],
    latitude: 51.5225,
    longitude: -0.1546,
    sensors: [
      { suffix: 1, parameter: PARAM.pm25, profile: pm(10) },
      { suffix: 2, parameter: PARAM.pm10, profile: pm(18) },
      { suffix: 3, parameter: PARAM.no2, profile: no2(45) },
      { suffix: 4, parameter: PARAM.o3, profile: o3(0.025, 140) },
    ],
  },
  {
    id: 1006,
    name: 'Din Daeng, Bangkok',
    locality: 'Bangkok',
    timezone: 'Asia/Bangkok',
    country: TH,
    owner: { id: 73, name: 'Pollution Control Department' },
    provider: { id: 175, name: 'Thailand PCD' },
    isMobile: false,
    isMonitor: true,
    instruments: [GOVERNMENT_MONITOR],
    licenses: [CC_BY_4('Pollution Control Department')],
    latitude: 13.7649,
    longitude: 100.5544,
    sensors: [
      { suffix: 1, parameter: PARAM.pm25, profile: pm(28, 0.5, 20) },
      { suffix: 2, parameter: PARAM.pm10, profile: pm(50, 0.45, 20) },
      { suffix: 3, parameter: PARAM.o3, profile: o3(0.022, 60) },
    ],
  },
  {
    id: 1007,
    name: 'Bandra Kurla Complex - AirGradient',
    locality: 'Mumbai',
    timezone: 'Asia/Kolkata',
    country: IN,
    owner: { id: 88, name: 'AirGradient' },
    provider: { id: 209, name: 'AirGradient' },
    isMobile: false,
    isMonitor: false,
    instruments: [{ id: 3, name: 'AirGradient Open Air' }],
    licenses: [CC_BY_4('AirGradient', 'https://www.airgradient.com/')],
    latitude: 19.0596,
    longitude: 72.8656,
    sensors: [
      {
        suffix: 1,
        parameter: PARAM.pm25,
        profile: { ...pm(38, 0.45, 10), decimals: 2 },
        intervalSeconds: 900,
      },
      { suffix: 2, parameter: PARAM.temperature, profile: temperature(27.5, 2.5, 130), intervalSeconds: 900 },
    ],
  },
  {
    id: 1008,
    name: 'Queens College',
    locality: 'Flushing',
    timezone: 'America/New_York',
    country: US,
    owner: UNKNOWN_GOVERNMENT,
    provider: { id: 119, name: 'AirNow' },
    isMobile: false,
    isMonitor: true,
    instruments: [GOVERNMENT_MONITOR],
    licenses: [US_PUBLIC_DOMAIN],
    latitude: 40.7366,
    longitude: -73.8214,
    sensors: [
      { suffix: 1, parameter: PARAM.pm25, profile: pm(8), startsDaysAgo: 120 },
      { suffix: 2, parameter: PARAM.o3, profile: o3(0.031) },
      { suffix: 3, parameter: PARAM.no2, profile: no2(26), stoppedDaysAgo: 20 },
    ],
  },
];

export interface DatasetOptions {
  seed?: number;
  /** The simulated clock at creation (default: real time). */
  now?: Date;
  /** How far back data exists (default 400 days). */
  historyDays?: number;
}

/** First grid point (k·interval + phase) at or after `ms`. */
export function gridCeil(ms: number, intervalSeconds: number, phaseSeconds: number): number {
  const step = intervalSeconds * 1000;
  const phase = phaseSeconds * 1000;
  return Math.ceil((ms - phase) / step) * step + phase;
}

/** Last grid point at or before `ms`. */
export function gridFloor(ms: number, intervalSeconds: number, phaseSeconds: number): number {
  const step = intervalSeconds * 1000;
  const phase = phaseSeconds * 1000;
  return Math.floor((ms - phase) / step) * step + phase;
}

/**
 * The dataset for a seed. History starts at UTC midnight `historyDays` before `now`, so two datasets made the same
 * day with the same seed are identical; values never depend on `now`, only which of them exist.
 */
export function createDataset(options: DatasetOptions = {}): SimulatedDataset {
  const seed = options.seed ?? 42;
  const createdAt = options.now ?? new Date();
  const historyDays = options.historyDays ?? 400;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!(historyDays > 0)) throw new RangeError(`historyDays must be positive, got ${historyDays}`);
  const today = Math.floor(createdAt.getTime() / DAY_MS) * DAY_MS;
  const historyStart = today - historyDays * DAY_MS;
  const sensors: SimSensor[] = [];
  const locations = LOCATIONS.map((spec): SimLocation => {
    const location: SimLocation = { ...spec, sensors: [] };
    for (const s of spec.sensors) {
      const intervalSeconds = s.intervalSeconds ?? 3600;
      const phaseSeconds = s.phaseSeconds ?? 0;
      const start =
        s.startsDaysAgo !== undefined && s.startsDaysAgo < historyDays
          ? today - s.startsDaysAgo * DAY_MS
          : historyStart;
      const sensor: SimSensor = {
        id: spec.id * 10 + s.suffix,
        locationId: spec.id,
        timezone: spec.timezone,
        latitude: spec.latitude,
        longitude: spec.longitude,
        parameter: s.parameter,
        intervalSeconds,
        phaseSeconds,
        // a period that ends exactly at the start would begin before history
        firstPeriodEndMs: gridCeil(start + intervalSeconds * 1000, intervalSeconds, phaseSeconds),
        lastPeriodEndMs:
          s.stoppedDaysAgo !== undefined
            ? gridFloor(today - s.stoppedDaysAgo * DAY_MS, intervalSeconds, phaseSeconds)
            : null,
        seed,
        profile: {
          seasonalAmplitude: 0,
          seasonPeakDay: 180,
          decimals: 1,
          complete: false,
          kind: 'pm',
          ...s.profile,
        },
      };
      location.sensors.push(sensor);
      sensors.push(sensor);
    }
    return location;
  });
  return {
    seed,
    createdAt,
    historyDays,
    parameters: [...PARAMETERS],
    countries: [...COUNTRIES],
    locations,
    sensors,
  };
}

export function findSensor(dataset: SimulatedDataset, id: number): SimSensor | undefined {
  return dataset.sensors.find((s) => s.id === id);
}

export function findLocation(dataset: SimulatedDataset, id: number): SimLocation | undefined {
  return dataset.locations.find((l) => l.id === id);
}
