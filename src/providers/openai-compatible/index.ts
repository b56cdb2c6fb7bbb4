export { OpenAICompatibleChatModel } from './openai-compatible-chat-model.js';
