export { type AppOptions, createApp } from './create-app.js';
export { createRequestId, createUuidV7 } from './create-request-id.js';
export { type ParsedChatCompletion, parseChatCompletionRequest } from './wire/index.js';
