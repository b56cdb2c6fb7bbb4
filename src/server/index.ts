export type { RouterReload } from './admin/router-admin-routes.js';
export { type AppOptions, createApp } from './create-app.js';
export { type ParsedChatCompletion, parseChatCompletionRequest } from './wire/index.js';
