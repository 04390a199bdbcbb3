// extract_parameters: snapshots /v3/parameters into raw/ (one or two requests), because archive rows carry a
// parameter's name and units but not its id (src/pipeline/raw-snapshots.ts reads the newest one back).
import { RAW_PARAMETERS_ENDPOINT } from '../lake/keys.js';
import { type Parameter, parameterSchema } from '../openaq/index.js';
import type { ExtractContext } from './extract-context.js';
import { fetchAndLandPages, newBatchId } from './raw-landing.js';

export interface ParametersSnapshot {
  parameters: Parameter[];
  requests: number;
  rawKeys: string[];
}

export async function extractParameters(
  ctx: Pick<ExtractContext, 'store' | 'meta' | 'runId' | 'signal' | 'openaq'>,
): Promise<ParametersSnapshot> {
  const batchId = newBatchId();
  const snapshot: ParametersSnapshot = { parameters: [], requests: 0, rawKeys: [] };
  const pages = await fetchAndLandPages(
    ctx,
    'extract_parameters',
    { path: '/parameters', params: {} },
    parameterSchema,
    {
      endpoint: RAW_PARAMETERS_ENDPOINT,
      subject: 'parameters',
      locationId: null,
      sensorId: null,
      window: null,
      batchId,
    },
  );
  snapshot.parameters = pages.results;
  snapshot.requests = pages.requests;
  snapshot.rawKeys = pages.rawKeys;
  return snapshot;
}
