/** Calls to the gateway's own stats API; the session cookie goes along by itself. */

export interface Counts {
  requests: number;
  local: number;
  errors: number;
  escalated: number;
  fallbacks: number;
  costUsd: number;
  unknownCost: number;
  baselineCostUsd: number;
  unknownBaseline: number;
  savingsUsd: number;
  comparedBaselineUsd: number;
}

export interface Rates {
  answered: number;
  localShare: number | null;
  escalationRate: number | null;
  fallbackRate: number | null;
  errorRate: number | null;
  savingsShare: number | null;
}

export interface Group {
  key: string | null;
  requests: number;
  local: number;
  errors: number;
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Stats {
  generatedAt: string;
  models: { model: string; provider: string; local: boolean }[];
  range: { from: string; to: string; stepSeconds: number };
  totals: Counts & Rates & { projectedMonthlySavingsUsd: number | null };
  series: (Counts & Rates & { at: string; models: Record<string, number> })[];
  why: { rules: Group[]; taskTypes: Group[]; reasons: Group[]; statuses: Group[] };
  latency: {
    exact: boolean;
    models: { model: string; latencyMs: Percentiles; ttftMs: Percentiles }[];
    overheadMs: Percentiles;
  };
  health: {
    models: {
      model: string;
      provider: string;
      local: boolean;
      ready: boolean;
      circuit: string;
      circuitRetryAfterMs: number | null;
      queue: { running: number; waiting: number } | null;
    }[];
    requestLog: { pendingRows: number; failedRows: number } | null;
  };
  spend: {
    tenants: {
      tenant: string;
      budgetUsd: number | null;
      period: string;
      spentUsd: number;
      keys: { id: string; prefix: string; revoked: boolean; budgetUsd: number | null; period: string; spentUsd: number }[];
    }[];
  } | null;
  evidence?: {
    shadow:
      | {
          from: string;
          to: string;
          route: string | null;
          taskType: string | null;
          pairs: number;
          scored: number;
          agreement: number | null;
          interval: [number, number] | null;
        }[]
      | null;
    rollouts: { id: string; share: number; paused: boolean; changes: { at: number; fromShare: number; toShare: number; cause: string }[] }[] | null;
    feedback: { model: string | null; metric: string; ratings: number; mean: number }[] | null;
  };
}

export interface RequestRow {
  id: string;
  startedAt: string;
  tenant: string | null;
  keyId: string | null;
  user: string | null;
  requestedModel: string | null;
  route: string | null;
  finalModel: string | null;
  rule: string | null;
  reasonKind: string | null;
  taskType: string | null;
  status: number;
  errorCode: string | null;
  escalated: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  baselineCostUsd: number | null;
  latencyMs: number;
  ttftMs: number | null;
}

export interface RequestDetail extends RequestRow {
  reason: string | null;
  scores: Record<string, unknown> | null;
  escalationReason: string | null;
  errorMessage: string | null;
  overheadMs: number | null;
  configHash: string;
  requestContent: string | null;
  responseContent: string | null;
  attempts: {
    index: number;
    model: string;
    role: string;
    status: string;
    errorCode: string | null;
    latencyMs: number;
    ttftMs: number | null;
    inputTokens: number | null;
    outputTokens: number | null;
    costUsd: number | null;
    confidence: number | null;
  }[];
}

export interface Session {
  mode: 'open' | 'key' | 'locked';
  authenticated: boolean;
  reason?: string;
}

export class UnauthorizedError extends Error {}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (response.status === 401) throw new UnauthorizedError('log in');
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}

export const readSession = () => getJson<Session>('/dashboard/session');
export const readStats = (params: URLSearchParams) => getJson<Stats>(`/admin/v1/stats?${params}`);
export const readRequests = (params: URLSearchParams) =>
  getJson<{ data: RequestRow[]; next: string | null }>(`/admin/v1/stats/requests?${params}`);
export const readRequest = (id: string) => getJson<RequestDetail>(`/admin/v1/stats/requests/${encodeURIComponent(id)}`);

export async function logIn(key: string): Promise<boolean> {
  const response = await fetch('/dashboard/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  });
  return response.ok;
}

export async function logOut(): Promise<void> {
  await fetch('/dashboard/logout', { method: 'POST', credentials: 'same-origin' });
}
