import { useCallback, useEffect, useState } from 'preact/hooks';
import { logIn, logOut, readRequests, readSession, readStats, type RequestRow, type Session, type Stats, UnauthorizedError } from './api.js';
import { Overview } from './overview.js';
import { RequestTable, RequestView } from './requests.js';

const REFRESH_MS = 5_000;
const RANGES = ['1h', '24h', '7d', '30d'];
const FILTERS = ['model', 'rule', 'taskType', 'reason', 'status', 'tenant'] as const;

interface Route {
  view: 'overview' | 'requests' | 'request';
  id?: string;
  params: URLSearchParams;
}

/** The view and its range and filters live in the URL's hash, so a view can be shared and reloaded. */
function readRoute(): Route {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  if (!params.has('range') && !params.has('from')) params.set('range', '24h');
  const [view, id] = path.split('/');
  if (view === 'request' && id) return { view: 'request', id: decodeURIComponent(id), params };
  return { view: view === 'requests' ? 'requests' : 'overview', params };
}

function go(view: string, params: URLSearchParams): void {
  location.hash = `#/${view}?${params}`;
}

function LoginForm(props: { onDone(): void }) {
  const [failed, setFailed] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const key = (new FormData(event.target as HTMLFormElement).get('key') as string) ?? '';
    if (await logIn(key)) props.onDone();
    else setFailed(true);
  };
  return (
    <form class="login" onSubmit={submit} data-testid="login-form">
      <h1>Switchyard</h1>
      <label>Admin key <input name="key" type="password" autocomplete="current-password" data-testid="login-key" /></label>
      <button type="submit" data-testid="login-submit">Log in</button>
      {failed ? <p class="bad" data-testid="login-error">That key is not the admin key.</p> : null}
    </form>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [route, setRoute] = useState(readRoute);
  const [stats, setStats] = useState<Stats | null>(null);
  const [rows, setRows] = useState<{ data: RequestRow[]; next: string | null } | null>(null);
  const [cursors, setCursors] = useState<string[]>([]);
  const [live, setLive] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [updated, setUpdated] = useState<string>('');

  const checkSession = useCallback(() => readSession().then(setSession, (failure: Error) => setError(failure.message)), []);
  useEffect(() => void checkSession(), [checkSession]);
  useEffect(() => {
    const onHash = () => {
      setRoute(readRoute());
      setCursors([]);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const paramsText = route.params.toString();
  const load = useCallback(async () => {
    try {
      const params = new URLSearchParams(paramsText);
      if (route.view === 'overview') setStats(await readStats(params));
      if (route.view === 'requests') {
        const before = cursors.at(-1);
        if (before) params.set('before', before);
        const [page, overview] = await Promise.all([readRequests(params), readStats(new URLSearchParams(paramsText))]);
        setRows(page);
        setStats(overview);
      }
      setError(null);
      setUpdated(new Date().toLocaleTimeString());
    } catch (failure) {
      if (failure instanceof UnauthorizedError) setSession((current) => (current ? { ...current, authenticated: false } : current));
      else setError((failure as Error).message);
    }
  }, [paramsText, route.view, cursors]);

  const ready = session?.authenticated === true;
  useEffect(() => {
    if (!ready || route.view === 'request') return;
    void load();
    if (!live) return;
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [ready, load, live, route.view]);

  if (!session) return <p class="loading">{error ?? 'Loading…'}</p>;
  if (session.mode === 'locked') return <p class="bad" data-testid="locked">The dashboard is off: {session.reason}.</p>;
  if (!session.authenticated) return <LoginForm onDone={() => void checkSession()} />;

  const setParam = (name: string, value: string | null) => {
    const params = new URLSearchParams(route.params);
    if (value === null || value === '') params.delete(name);
    else params.set(name, value);
    if (name === 'range') {
      params.delete('from');
      params.delete('to');
    }
    go(route.view === 'request' ? 'requests' : route.view, params);
  };
  const setCustom = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const params = new URLSearchParams(route.params);
    params.delete('range');
    for (const name of ['from', 'to']) {
      const value = data.get(name) as string;
      if (value) params.set(name, new Date(`${value}Z`).toISOString());
    }
    go(route.view === 'request' ? 'requests' : route.view, params);
  };
  const options = {
    model: [...(stats?.models.map((model) => model.model) ?? []), 'none'],
    rule: stats?.why.rules.map((group) => group.key ?? '') ?? [],
    taskType: stats?.why.taskTypes.map((group) => group.key ?? '') ?? [],
    reason: stats?.why.reasons.map((group) => group.key ?? '') ?? [],
    status: ['2xx', '4xx', '5xx', ...(stats?.why.statuses.map((group) => group.key ?? '') ?? [])],
    tenant: [],
  } as Record<(typeof FILTERS)[number], string[]>;
  const range = route.params.get('range');
  return (
    <div class="app">
      <header>
        <h1>Switchyard</h1>
        <nav>
          <a href={`#/overview?${paramsText}`} class={route.view === 'overview' ? 'active' : ''} data-testid="nav-overview">Overview</a>
          <a href={`#/requests?${paramsText}`} class={route.view !== 'overview' ? 'active' : ''} data-testid="nav-requests">Requests</a>
        </nav>
        <div class="ranges" data-testid="ranges">
          {RANGES.map((name) => (
            <button type="button" key={name} class={range === name ? 'active' : ''} onClick={() => setParam('range', name)} data-testid={`range-${name}`}>{name}</button>
          ))}
          <form onSubmit={setCustom} class="custom" data-testid="custom-range">
            <input name="from" type="datetime-local" step="1" aria-label="from (UTC)" />
            <input name="to" type="datetime-local" step="1" aria-label="to (UTC)" />
            <button type="submit">apply (UTC)</button>
          </form>
        </div>
        <label class="live"><input type="checkbox" checked={live} onChange={() => setLive(!live)} data-testid="live" /> live</label>
        <span class="updated" data-testid="updated">{updated}</span>
        {session.mode === 'key' ? <button type="button" onClick={() => void logOut().then(checkSession)} data-testid="logout">log out</button> : null}
      </header>
      <div class="filters" data-testid="filters">
        {FILTERS.map((name) => (
          <label key={name}>
            {name}
            {name === 'tenant' ? (
              <input value={route.params.get(name) ?? ''} onChange={(event) => setParam(name, (event.target as HTMLInputElement).value)} data-testid={`filter-${name}`} />
            ) : (
              <select value={route.params.get(name) ?? ''} onChange={(event) => setParam(name, (event.target as HTMLSelectElement).value)} data-testid={`filter-${name}`}>
                <option value="">all</option>
                {[...new Set([...options[name], route.params.get(name) ?? ''])].filter(Boolean).map((value) => (
                  <option key={value} value={value}>{value}</option>
                ))}
              </select>
            )}
          </label>
        ))}
        {stats ? <span class="range-text" data-testid="range-text">{stats.range.from} → {stats.range.to}</span> : null}
      </div>
      {error ? <p class="bad" data-testid="error">{error}</p> : null}
      <main>
        {route.view === 'overview' && stats ? <Overview stats={stats} onPick={setParam} /> : null}
        {route.view === 'requests' && rows ? (
          <RequestTable
            rows={rows.data}
            page={cursors.length}
            hasOlder={rows.next !== null}
            onOlder={() => rows.next && setCursors([...cursors, rows.next])}
            onNewer={() => setCursors(cursors.slice(0, -1))}
            onOpen={(id) => {
              location.hash = `#/request/${encodeURIComponent(id)}?${paramsText}`;
            }}
          />
        ) : null}
        {route.view === 'request' && route.id ? <RequestView id={route.id} onBack={() => go('requests', route.params)} /> : null}
      </main>
    </div>
  );
}
