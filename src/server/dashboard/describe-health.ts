import type { ChatModel } from '../../contract/index.js';
import type { ChatGateway } from '../../gateway/index.js';
import type { RequestLog } from '../../storage/index.js';

/** This replica's live state: each model's readiness, circuit and queue, and the log's backlog. */
export function describeHealth(options: {
  models: ReadonlyMap<string, ChatModel>;
  gateway: ChatGateway;
  requestLog?: RequestLog | undefined;
}) {
  const circuits = new Map(options.gateway.circuitStates().map((circuit) => [circuit.model, circuit]));
  return {
    models: [...options.models.values()].map((model) => {
      const circuit = circuits.get(model.name);
      const readiness = model.readiness();
      return {
        model: model.name,
        provider: model.provider,
        local: model.isLocal,
        ready: readiness.ready,
        circuit: circuit?.state ?? 'closed',
        circuitRetryAfterMs: circuit?.state === 'open' ? Math.ceil(circuit.retryAfterMs) : null,
        queue: model.queueDepth?.() ?? null,
      };
    }),
    requestLog: options.requestLog
      ? { pendingRows: options.requestLog.pendingRows, failedRows: options.requestLog.failedRows }
      : null,
  };
}
