export type { Attempt } from './attempt.js';
export type { ChatModel, ProviderKind, Readiness, StreamEvents } from './chat-model.js';
export type { ChatRequest, ResponseFormat, ToolChoice, ToolDefinition } from './chat-request.js';
export type { ChatResult, Confidence, TokenLogprob } from './chat-result.js';
export type { FinishReason } from './finish-reason.js';
export type { Message, MessageRole, ToolCall } from './message.js';
export type { StreamPart } from './stream-part.js';
export type { Usage } from './usage.js';
