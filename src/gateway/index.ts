export { ChatGateway, type ChatGatewayOptions } from './chat-gateway.js';
export type { ChatInput, ParsedChat } from './chat-input.js';
export type { AnswerSummary, ChatResponder, RouteHeaders } from './chat-responder.js';
