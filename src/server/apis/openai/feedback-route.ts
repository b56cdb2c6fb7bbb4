import type { FastifyInstance } from 'fastify';
import type { FeedbackDesk } from '../../../gateway/index.js';

/**
 * `POST /v1/feedback`: a client rates an answer by its `x-request-id`. Authorised like every `/v1`
 * route; with virtual keys, a key rates only its own tenant's requests.
 */
export function registerFeedbackRoute(app: FastifyInstance, options: { desk: FeedbackDesk }): void {
  app.post('/v1/feedback', async (request) => options.desk.receive(request.body, request.access));
}
