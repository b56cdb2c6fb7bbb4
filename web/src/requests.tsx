import { useEffect, useState } from 'preact/hooks';
import { type RequestDetail, type RequestRow, readRequest } from './api.js';
import { formatCount, formatMs, formatTime, formatUsd } from './format.js';

/** One page of the log, newest first; `onOpen` shows a request. */
export function RequestTable(props: {
  rows: RequestRow[];
  page: number;
  hasOlder: boolean;
  onOlder(): void;
  onNewer(): void;
  onOpen(id: string): void;
}) {
  return (
    <section class="panel" data-testid="requests">
      <table class="requests">
        <thead>
          <tr>
            <th>time</th><th>tenant</th><th>user</th><th>requested</th><th>served</th><th>rule</th><th>reason</th>
            <th>task</th><th class="num">status</th><th class="num">tokens in/out</th><th class="num">cost</th><th class="num">latency</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row.id} class="clickable" data-testid="request-row" data-id={row.id} onClick={() => props.onOpen(row.id)}>
              <td>{formatTime(row.startedAt)}</td>
              <td>{row.tenant ?? '–'}</td>
              <td>{row.user ?? '–'}</td>
              <td>{row.requestedModel ?? '–'}</td>
              <td>{row.finalModel ?? 'none'}{row.escalated ? ' ↑' : ''}</td>
              <td>{row.rule ?? '–'}</td>
              <td>{row.reasonKind ?? '–'}</td>
              <td>{row.taskType ?? '–'}</td>
              <td class={row.status >= 400 ? 'num bad' : 'num'}>{row.status}</td>
              <td class="num">{row.inputTokens ?? '–'} / {row.outputTokens ?? '–'}</td>
              <td class={row.costUsd === null ? 'num warn-text' : 'num'}>{formatUsd(row.costUsd)}</td>
              <td class="num">{formatMs(row.latencyMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.rows.length === 0 ? <p>No requests in this range.</p> : null}
      <div class="pager">
        <button type="button" disabled={props.page === 0} onClick={props.onNewer} data-testid="newer">← newer</button>
        <span>page {formatCount(props.page + 1)}</span>
        <button type="button" disabled={!props.hasOlder} onClick={props.onOlder} data-testid="older">older →</button>
      </div>
    </section>
  );
}

function Field(props: { name: string; children: preact.ComponentChildren; testId?: string }) {
  return (
    <>
      <dt>{props.name}</dt>
      <dd data-testid={props.testId}>{props.children}</dd>
    </>
  );
}

/** One request as logged: content is shown as text, never as markup. */
export function RequestView(props: { id: string; onBack(): void }) {
  const [detail, setDetail] = useState<RequestDetail | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDetail(undefined);
    readRequest(props.id).then(setDetail, (failure: Error) => setError(failure.message));
  }, [props.id]);
  if (error) return <p class="bad">{error}</p>;
  if (!detail) return <p>Loading…</p>;
  return (
    <section class="panel detail" data-testid="request-detail">
      <button type="button" onClick={props.onBack}>← back to requests</button>
      <h2>Request {detail.id}</h2>
      <p class="reason" data-testid="detail-reason">{detail.reason ?? 'Refused before routing.'}</p>
      <dl>
        <Field name="time">{formatTime(detail.startedAt)}</Field>
        <Field name="tenant / key / user">{detail.tenant ?? '–'} / {detail.keyId ?? '–'} / {detail.user ?? '–'}</Field>
        <Field name="requested → routed → served" testId="detail-models">
          {detail.requestedModel ?? '–'} → {detail.route ?? '–'} → {detail.finalModel ?? 'none'}
        </Field>
        <Field name="rule / reason kind" testId="detail-rule">{detail.rule ?? '–'} / {detail.reasonKind ?? '–'}</Field>
        <Field name="status" testId="detail-status">
          {detail.status}{detail.errorCode ? ` ${detail.errorCode}: ${detail.errorMessage ?? ''}` : ''}
        </Field>
        <Field name="escalation" testId="detail-escalation">
          {detail.escalationReason ? `${detail.escalated ? 'escalated' : 'check failed, answer stood'}: ${detail.escalationReason}` : 'none'}
        </Field>
        <Field name="cost / baseline" testId="detail-cost">{formatUsd(detail.costUsd)} / {formatUsd(detail.baselineCostUsd)}</Field>
        <Field name="latency / TTFT / overhead">{formatMs(detail.latencyMs)} / {formatMs(detail.ttftMs)} / {formatMs(detail.overheadMs)}</Field>
        <Field name="tokens in / out">{detail.inputTokens ?? '–'} / {detail.outputTokens ?? '–'}</Field>
        <Field name="config">{detail.configHash.slice(0, 12)}</Field>
      </dl>
      <h3>Router scores</h3>
      {detail.scores ? (
        <dl data-testid="detail-scores">
          {Object.entries(detail.scores).map(([name, value]) => (
            <Field key={name} name={name}>{typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : JSON.stringify(value)}</Field>
          ))}
        </dl>
      ) : (
        <p>none</p>
      )}
      <h3>Attempts</h3>
      <table data-testid="detail-attempts">
        <thead><tr><th>#</th><th>model</th><th>role</th><th>status</th><th>error</th><th class="num">latency</th><th class="num">TTFT</th><th class="num">tokens</th><th class="num">cost</th><th class="num">confidence</th></tr></thead>
        <tbody>
          {detail.attempts.map((attempt) => (
            <tr key={attempt.index}>
              <td>{attempt.index}</td><td>{attempt.model}</td><td>{attempt.role}</td>
              <td class={attempt.status === 'ok' ? '' : 'bad'}>{attempt.status}</td><td>{attempt.errorCode ?? ''}</td>
              <td class="num">{formatMs(attempt.latencyMs)}</td><td class="num">{formatMs(attempt.ttftMs)}</td>
              <td class="num">{attempt.inputTokens ?? '–'} / {attempt.outputTokens ?? '–'}</td>
              <td class="num">{formatUsd(attempt.costUsd)}</td>
              <td class="num">{attempt.confidence === null ? '–' : attempt.confidence.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Prompt (as logged)</h3>
      <pre data-testid="detail-request-content">{detail.requestContent ?? '(not logged: storage.content is none)'}</pre>
      <h3>Answer (as logged)</h3>
      <pre data-testid="detail-response-content">{detail.responseContent ?? '(not logged)'}</pre>
    </section>
  );
}
