import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startLocalPostgres } from '../../server/db/local-postgres.ts';
import { migrate } from '../../server/db/migrate.ts';
import { migrateJobStore } from '../../server/jobs/jobs.broker.ts';
import { databaseUrl } from './database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseAdminUrl: string;
    templateDatabase: string;
  }
}

/**
 * One PostgreSQL server for the whole run: DATABASE_URL when set, else the embedded one (as in
 * local mode) in a temporary folder. A template database is migrated once; each test file clones it.
 */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!adminUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-test-pg-'));
    fs.chmodSync(dataDir, 0o755); // reachable by the unprivileged user PostgreSQL runs as under root
    // Durability is pointless for throwaway test data; skipping fsync makes the run faster.
    const server = await startLocalPostgres({
      dataDir,
      exclusive: true,
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    adminUrl = server.url;
    stopServer = async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  }

  const template = `relance_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = databaseUrl(adminUrl, template);
  const pool = new pg.Pool({ connectionString: templateUrl, max: 1 });
  await migrate(pool);
  await pool.end();
  await migrateJobStore(templateUrl);

  project.provide('databaseAdminUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
    await stopServer();
  };
}
