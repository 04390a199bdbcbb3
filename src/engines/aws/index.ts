// The AWS engine's public surface: the Engine, its settings, deploy/plan/policy, the dialect and the cost units.
export { type AthenaSql, bindParameters, DialectError, toAthenaSql } from './athena-dialect.js';
export { type AwsClients, createAwsClients } from './aws-clients.js';
export { type AwsCost, formatCost, zeroCost } from './aws-cost.js';
export { AwsEngine, type AwsEngineOptions, type AwsTransformExtras } from './aws-engine.js';
export { type AwsSettings, awsSettingsFromEnv } from './aws-settings.js';
export { type DeployStep, deploy, formatPlan, planDeploy } from './deploy.js';
export { buildPolicy, PERMISSIONS, type PolicyDocument } from './iam-policy.js';
