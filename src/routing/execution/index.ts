export { AttemptLog, type EscalationDeclined } from './attempt-log.js';
export { ChatExecutor, type StreamHooks } from './chat-executor.js';
export { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
export { decideRouteReason } from './decide-route-reason.js';
