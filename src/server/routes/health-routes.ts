import type { FastifyInstance } from 'fastify';
import type { ChatModel } from '../../contract/index.js';
import type { ChatGateway } from '../../gateway/index.js';

/**
 * `/health`: the process answers. `/ready`: every model is loaded and configured (503 if not),
 * with each target's circuit state. An open circuit does not make the gateway unready: other
 * targets still serve, and taking every replica out of a load balancer over one upstream's outage
 * would turn a partial failure into a total one.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  options: { models: ReadonlyMap<string, ChatModel>; gateway: ChatGateway },
): void {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const circuits = new Map(options.gateway.circuitStates().map((circuit) => [circuit.model, circuit]));
    const models: Record<string, unknown> = {};
    let ready = true;
    for (const [name, model] of options.models) {
      const readiness = model.readiness();
      ready &&= readiness.ready;
      const circuit = circuits.get(name);
      const queue = model.queueDepth?.();
      models[name] = {
        provider: model.provider,
        ready: readiness.ready,
        ...(readiness.detail ? { detail: readiness.detail } : {}),
        circuit: circuit?.state ?? 'closed',
        ...(circuit && circuit.state === 'open'
          ? { circuitRetryAfterMs: Math.ceil(circuit.retryAfterMs) }
          : {}),
        ...(queue ? { queue } : {}),
      };
    }
    reply.status(ready ? 200 : 503);
    return { ready, models };
  });
}
