export { LlamaCppChatModel, resolveThreadCount } from './llama-cpp-chat-model.js';
export { RequestQueue } from './request-queue.js';
export { isRemoteModelReference, resolveGgufFile, resolveModelCacheDir } from './resolve-gguf-file.js';
export { computeFileSha256, verifySha256 } from './verify-sha256.js';
