// Public surface of the OpenAQ v3 client: HTTP client, response schemas, paging and time-parameter rules.
export { OpenAQClient, type OpenAQClientOptions, type RawResponse } from './client.js';

export { hasNextPage, PAGE_LIMIT } from './paging.js';

export {
  type Location,
  locationSchema,
  measurementSchema,
  type Parameter,
  type ParsedEnvelope,
  parameterSchema,
  parseEnvelope,
} from './schemas.js';
export { measurementWindowParams } from './time-params.js';
