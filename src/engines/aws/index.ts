// The AWS engine's public surface to the engine factory: the Engine, its settings from the environment, the cost zero.
export { zeroCost } from './aws-cost.js';
export { AwsEngine } from './aws-engine.js';
export { awsSettingsFromEnv } from './aws-settings.js';
