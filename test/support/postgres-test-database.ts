import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the tests create their databases on; CI and this machine run one with trust auth. */
export const POSTGRES_ADMIN_URL =
  process.env.SWITCHYARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of a test's own, with a random name, and a way to drop it. */
export interface TestDatabase {
  name: string;
  url: string;
  /** Runs SQL in the test database through a connection of its own. */
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

async function runAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `the Postgres tests need a server at ${POSTGRES_ADMIN_URL} (set SWITCHYARD_TEST_POSTGRES_URL): ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database; the caller drops it (connections still open to it are ended). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `switchyard_test_${randomBytes(6).toString('hex')}`;
  await runAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  let reader: pg.Client | undefined;
  return {
    name,
    url: url.toString(),
    async query(sql, values) {
      if (!reader) {
        reader = new pg.Client({ connectionString: url.toString() });
        await reader.connect();
      }
      return (await reader.query(sql, values)).rows;
    },
    async drop() {
      await reader?.end();
      await runAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
