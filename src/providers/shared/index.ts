export { computeConfidence } from './compute-confidence.js';
export { countUsageLocally } from './count-usage-locally.js';
export { createInvalidResponseError } from './create-invalid-response-error.js';
export { createUpstreamError } from './create-upstream-error.js';
export { estimateTokenCount } from './estimate-token-count.js';
export { createOpenAITokenCounter, findOpenAIEncoding } from './openai-token-counter.js';
export { readServerSentEvents, type ServerSentEvent } from './read-server-sent-events.js';
export { UpstreamHttpClient, type UpstreamResponse } from './upstream-http-client.js';
