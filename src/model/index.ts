export type { ModelAdapterOptions } from './adapter-options.ts';
export { createChatCompletionsClient } from './chat-completions.ts';
export {
  type CreateModelClientOptions,
  createModelClient,
  DEFAULT_OPENAI_BASE_URL,
} from './create-model-client.ts';
export { type ModelCallContext, toModelError } from './model-errors.ts';
export { createParameterMemory, type ParameterMemory, processParameterMemory } from './parameter-memory.ts';
export { computeCostUsd, type PriceTable } from './pricing.ts';
export { createResponsesClient } from './responses.ts';
export { assertValidToolNames, TOOL_NAME_PATTERN } from './tool-names.ts';
export type * from './types.ts';
