export { ChunkWriter, convertToChatCompletion, createCompletionId } from './convert-to-openai-wire.js';
export { type ParsedChatCompletion, parseChatCompletionRequest } from './parse-chat-completion-request.js';
