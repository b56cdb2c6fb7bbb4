export { LlamaCppChatModel } from './llama-cpp-chat-model.js';
export { isRemoteModelReference, resolveGgufFile, resolveModelCacheDir } from './resolve-gguf-file.js';
