// Public surface of the OpenAQ v3 client: HTTP client, response schemas, paging and time-parameter rules.
export { type ClientStats, OpenAQClient, type OpenAQClientOptions, type RawResponse } from './client.js';
export { describeErrorBody, errorResponseMessage } from './error-body.js';
export { hasNextPage, PAGE_LIMIT } from './paging.js';
export { nextSendDelay, RateLimiter, type RateLimits, type Sleep, serverWaitMs } from './rate-limiter.js';
export { backoffDelay, isRetryable, TruncatedBodyError } from './retry-policy.js';
export {
  type Aggregate,
  aggregateSchema,
  type Country,
  countrySchema,
  envelopeSchema,
  type Latest,
  type Location,
  latestSchema,
  locationSchema,
  type Measurement,
  type Meta,
  measurementSchema,
  metaSchema,
  type Parameter,
  type ParameterRef,
  type ParsedEnvelope,
  parameterRefSchema,
  parameterSchema,
  parseEnvelope,
  type Sensor,
  sensorSchema,
} from './schemas.js';
export { dayRangeParams, measurementWindowParams } from './time-params.js';
