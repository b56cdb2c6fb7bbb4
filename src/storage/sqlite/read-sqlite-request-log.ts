import Database from 'better-sqlite3';

/** One logged request, as the audit reads it back. */
export interface LoggedRequest {
  requestedModel: string | null;
  /** The logged prompt (`role: content` lines; PII replaced when content logging was `redacted`). */
  requestContent: string | null;
  responseContent: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Router scores as logged (PII kinds among them). */
  scores: Record<string, unknown> | null;
}

/** Reads every request row of a request-log file (read-only; the gateway may keep writing). */
export function readRequestLogFile(path: string): LoggedRequest[] {
  const database = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = database
      .prepare(
        'SELECT requested_model, request_content, response_content, input_tokens, output_tokens, scores FROM requests ORDER BY started_at',
      )
      .all() as Record<string, string | number | null>[];
    return rows.map((row) => ({
      requestedModel: row.requested_model as string | null,
      requestContent: row.request_content as string | null,
      responseContent: row.response_content as string | null,
      inputTokens: row.input_tokens as number | null,
      outputTokens: row.output_tokens as number | null,
      scores: row.scores ? (JSON.parse(row.scores as string) as Record<string, unknown>) : null,
    }));
  } finally {
    database.close();
  }
}
