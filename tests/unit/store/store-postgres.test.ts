import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresClient,
  migrate,
  migrations,
  openStore,
  type SqlClient,
} from '../../../src/store/index.ts';
import { describeStoreBehaviour } from './store-behaviour.ts';

// A real server; each run works in schemas of its own so parallel runs never see each other's rows.
const serverUrl = process.env.BATON_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const admin = createPostgresClient({ connectionString: serverUrl, maxConnections: 1 });
const schemas: string[] = [];

async function freshSchemaUrl(): Promise<string> {
  const schema = `baton_test_${randomUUID().replaceAll('-', '')}`;
  await admin.exec(`CREATE SCHEMA ${schema}`);
  schemas.push(schema);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

afterAll(async () => {
  for (const schema of schemas) await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.close();
});

describeStoreBehaviour('a Postgres server', async () =>
  createPostgresClient({ connectionString: await freshSchemaUrl() }),
);

describe('store on a Postgres server', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshSchemaUrl();
  });

  it('migrates once when two processes start at the same time', async () => {
    // Two pools stand in for two processes: separate connections, racing on an empty schema.
    const clients: SqlClient[] = [
      createPostgresClient({ connectionString: url }),
      createPostgresClient({ connectionString: url }),
    ];
    try {
      const results = await Promise.all(clients.map((sql) => migrate({ sql })));
      const versions = migrations.map((migration) => migration.version);
      expect(results.map((result) => result.applied).sort()).toEqual([[], versions]);
      const { rows } = await admin.query<{ version: number }>(
        `SELECT version FROM ${schemas.at(-1)}.schema_migrations ORDER BY version`,
      );
      expect(rows.map((row) => row.version)).toEqual(versions);
    } finally {
      await Promise.all(clients.map((sql) => sql.close()));
    }
  });

  it('opens a server store from a database URL', async () => {
    const { store, sql } = await openStore({ databaseUrl: url });
    try {
      expect(sql.kind).toBe('postgres');
      const thread = await store.upsertThread({
        key: 'github:acme/app#12',
        origin: {},
        repo: 'acme/app',
        branch: 'b',
      });
      expect(await store.getThreadByKey('github:acme/app#12')).toEqual(thread);
      const { rows } = await sql.query<{ schema: string }>('SELECT current_schema() AS schema');
      expect(rows[0]?.schema).toBe(schemas.at(-1));
    } finally {
      await store.close();
    }
  });

  it('says the database is unreachable, and that retrying may help, when nothing listens', async () => {
    const port = await closedPort();
    await expect(
      openStore({ databaseUrl: `postgresql://postgres@127.0.0.1:${port}/test` }),
    ).rejects.toMatchObject({
      code: 'store_unavailable',
      retryable: true,
    });
  });
});

/** A loopback port that was free a moment ago and has no listener now. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
