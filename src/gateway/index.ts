export { type Access, AccessControl, type Admission } from './access/access-control.js';
export { createKeySecret, hashKey, KEY_PREFIX } from './access/virtual-key-secret.js';
export { type KeyView, TenantAdmin, type TenantUsage } from './admin/tenant-admin.js';
export { ChatGateway, type ChatGatewayOptions } from './chat-gateway.js';
export type { ChatInput, ParsedChat } from './chat-input.js';
export type { AnswerSummary, ChatResponder, RouteHeaders } from './chat-responder.js';
export { FeedbackDesk, type FeedbackReceipt } from './feedback/feedback-desk.js';
export { RolloutManager } from './rollout/rollout-manager.js';
