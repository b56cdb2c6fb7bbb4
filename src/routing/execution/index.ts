export { ChatExecutor, type GenerateOutcome, type StreamOutcome } from './chat-executor.js';
export { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
export { type ExecutionReport, sumAttemptCost, sumAttemptMs } from './execution-report.js';
