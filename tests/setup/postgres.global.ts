import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../server/db/migrate.ts';
import { createScratchDatabase, startScratchServer } from '../../server/db/scratch-database.ts';
import { migrateJobStore } from '../../server/jobs/jobs.broker.ts';

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
  // Durability is pointless for throwaway test data; skipping fsync makes the run faster.
  const server = process.env.DATABASE_URL ? undefined : await startScratchServer({ durable: false, prefix: 'relance-test-pg' });
  const adminUrl = process.env.DATABASE_URL ?? server!.url;
  const template = await createScratchDatabase(adminUrl, { prefix: 'relance_template' });
  const pool = new pg.Pool({ connectionString: template.url, max: 1 });
  await migrate(pool);
  await pool.end();
  await migrateJobStore(template.url);

  project.provide('databaseAdminUrl', adminUrl);
  project.provide('templateDatabase', new URL(template.url).pathname.slice(1));

  return async () => {
    await template.discard();
    await server?.discard();
  };
}
