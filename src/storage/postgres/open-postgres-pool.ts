import pg from 'pg';
import { migratePostgres } from './postgres-migrations.js';

/**
 * A connection pool to `url`, with the database brought up to the current schema. Rejects (and
 * leaves nothing open) when the database cannot be reached or holds a newer schema, so a gateway
 * that cannot keep its log does not start.
 */
export async function openPostgresPool(options: { url: string; maxConnections: number }): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections,
    application_name: 'switchyard',
    // A database that is down makes a write fail in bounded time, to be retried, rather than hang
    // a shutdown.
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
    idleTimeoutMillis: 30_000,
  });
  // A connection the server or the network closed (a restart, a failover) fails the query it was
  // running, and the pool drops it; the error event it also emits would, unheard, end the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client);
    } finally {
      client.release();
    }
    return pool;
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}
