export { AnthropicChatModel } from './anthropic-chat-model.js';
