// extract_parameters: snapshots /v3/parameters into raw/ (one or two requests), because archive rows carry a
// parameter's name and units but not its id; and finds the newest snapshot for the transform.
import { PipelineError } from '../errors.js';
import { RAW_PARAMETERS_ENDPOINT } from '../lake/keys.js';
import { latestParametersObjects } from '../lake/manifest.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import type { ObjectStore } from '../lake/store/index.js';
import { type Parameter, parameterSchema, parseEnvelope } from '../openaq/index.js';
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

/** The newest snapshot's parameters, read back from raw/. */
export async function latestParameters(ctx: { meta: MetaDb; store: ObjectStore }): Promise<Parameter[]> {
  const objects = latestParametersObjects(ctx.meta);
  if (objects.length === 0) {
    throw new PipelineError(
      'no /v3/parameters snapshot in raw/: archive rows cannot be given parameter ids; run extract_parameters first',
      'transform',
    );
  }
  const parameters: Parameter[] = [];
  for (const o of objects) {
    const parsed = parseEnvelope(await ctx.store.get(o.rawKey), parameterSchema);
    if (parsed.ok) parameters.push(...parsed.results);
  }
  return parameters;
}
