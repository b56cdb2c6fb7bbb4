import type { FastifyInstance } from 'fastify';
import { computeWilsonInterval } from '../../contract/index.js';
import { ResourceNotFoundError, ServiceUnavailableError } from '../../errors/index.js';
import type { RequestStats, StatsEvidence, TenantStore } from '../../storage/index.js';
import { describeOverview } from './describe-overview.js';
import { describeSpend } from './describe-spend.js';
import { parseStatsQuery, type StatsParams } from './parse-stats-query.js';

export interface StatsRouteOptions {
  stats: RequestStats | undefined;
  tenants: TenantStore | undefined;
  localModels: readonly string[];
  /** The configured models, for the page's legends. */
  modelList: { model: string; provider: string; local: boolean }[];
  health(): unknown;
  now?: () => number;
}

const SECTIONS = ['overview', 'health', 'spend', 'evidence'] as const;

const readInterval = (interval: { low: number; high: number } | null): [number, number] | null =>
  interval ? [interval.low, interval.high] : null;

function describeEvidence(evidence: StatsEvidence) {
  return {
    shadow:
      evidence.shadow?.map((group) => ({
        ...group,
        agreement: group.scored > 0 ? group.agreed / group.scored : null,
        interval: readInterval(computeWilsonInterval(group.agreed, group.scored)),
      })) ?? null,
    rollouts: evidence.rollouts,
    feedback: evidence.feedback,
  };
}

function requireStats(stats: RequestStats | undefined): RequestStats {
  if (!stats) {
    throw new ServiceUnavailableError({
      message: 'There is no request log to read statistics from (storage.requestLog is off).',
      code: 'request_log_off',
    });
  }
  return stats;
}

/**
 * `GET /admin/v1/stats`: the numbers of the dashboard, for a time range and filters (docs/dashboard.md);
 * `GET /admin/v1/stats/requests` pages through the log; `/admin/v1/stats/requests/{id}` is one request.
 */
export function registerStatsRoutes(app: FastifyInstance, options: StatsRouteOptions): void {
  const now = options.now ?? Date.now;
  app.get<{ Querystring: StatsParams & { sections?: string } }>('/admin/v1/stats', async (request) => {
    const time = now();
    const query = parseStatsQuery(request.query, time);
    const wanted = new Set(request.query.sections?.split(',') ?? SECTIONS);
    const stats =
      wanted.has('overview') || wanted.has('spend') || wanted.has('evidence')
        ? requireStats(options.stats)
        : undefined;
    const [overview, spend, evidence] = await Promise.all([
      wanted.has('overview') && stats
        ? stats.overview({ ...query, localModels: options.localModels })
        : undefined,
      wanted.has('spend') && stats && options.tenants ? describeSpend(options.tenants, stats, time) : null,
      wanted.has('evidence') && stats ? stats.evidence(query.from, query.to) : undefined,
    ]);
    return {
      object: 'stats',
      generatedAt: new Date(time).toISOString(),
      filter: query.filter,
      models: options.modelList,
      ...(overview ? describeOverview(overview, time) : {}),
      ...(wanted.has('health') ? { health: options.health() } : {}),
      ...(wanted.has('spend') ? { spend } : {}),
      ...(evidence ? { evidence: describeEvidence(evidence) } : {}),
    };
  });

  app.get<{ Querystring: StatsParams & { limit?: string; before?: string } }>(
    '/admin/v1/stats/requests',
    async (request) => {
      const query = parseStatsQuery(request.query, now());
      const limit = Math.min(200, Math.max(1, Number(request.query.limit ?? 50) || 50));
      const page = await requireStats(options.stats).listRequests({
        ...query,
        localModels: options.localModels,
        limit,
        ...(request.query.before ? { before: request.query.before } : {}),
      });
      return { object: 'list', data: page.requests, next: page.next };
    },
  );

  app.get<{ Params: { id: string } }>('/admin/v1/stats/requests/:id', async (request) => {
    const detail = await requireStats(options.stats).getRequest(request.params.id);
    if (!detail) {
      throw new ResourceNotFoundError({
        message: `No request '${request.params.id}' in the log.`,
        code: 'request_not_found',
        param: 'id',
      });
    }
    return detail;
  });
}
