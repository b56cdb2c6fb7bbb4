import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../../telemetry/index.js';

/** `GET /metrics`: Prometheus text exposition. */
export function registerMetricsRoute(app: FastifyInstance, options: { metrics: GatewayMetrics }): void {
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await options.metrics.render();
    reply.header('content-type', contentType);
    return body;
  });
}
