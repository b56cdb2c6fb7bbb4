export { checkJsonSchema } from './check-json-schema.js';
export {
  ChunkWriter,
  convertToChatCompletion,
  convertUsageToOpenAI,
  createCompletionId,
  mapFinishReasonToOpenAI,
} from './convert-to-openai-wire.js';
export { type ParsedChatCompletion, parseChatCompletionRequest } from './parse-chat-completion-request.js';
