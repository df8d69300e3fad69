import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { PrismaClient } from './generated/client.ts';

export type { PrismaClient };

/**
 * One connection pool per process, shared by Prisma (through @prisma/adapter-pg) and by the few
 * paths that need the driver itself: COPY for imports, and the statements of every call in the
 * calling workspace. See docs/decisions/009-query-layers.md and 029-calls-on-the-driver.md.
 */
export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function openDatabase(url: string, options: { poolSize: number; log: Logger }): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize, application_name: 'relance' });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (error) => options.log.warn({ err: error.message }, 'database connection lost'));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** Runs `work` in one transaction on one connection: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
