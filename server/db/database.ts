import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { PrismaClient } from './generated/client.ts';

export type { PrismaClient };

/**
 * One connection pool per process, shared by Prisma (through @prisma/adapter-pg) and by the few
 * bulk paths that need the driver itself (COPY for imports). See docs/decisions/004-sql-migrations.md.
 */
export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

// A statement of a hot path opens with a comment that names it: /* prepared: chase.claim */ WITH …
const PREPARED_MARK = '/* prepared: ';

/**
 * The name under which each connection keeps a statement prepared: only statements that carry the
 * mark, one name per SQL text (a name must never stand for two texts). The others stay unnamed:
 * parsed and planned at each call, as PostgreSQL's planner sees their values. See
 * docs/decisions/027-prepared-hot-statements.md.
 */
export function createStatementNames(): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    const start = sql.indexOf(PREPARED_MARK);
    if (start < 0) return '';
    let name = names.get(sql);
    if (!name) {
      const label = sql.slice(start + PREPARED_MARK.length, sql.indexOf(' ', start + PREPARED_MARK.length));
      name = `${label}#${names.size + 1}`;
      names.set(sql, name);
    }
    return name;
  };
}

export function openDatabase(url: string, options: { poolSize: number; log: Logger }): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize, application_name: 'relance' });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (error) => options.log.warn({ err: error.message }, 'database connection lost'));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: createStatementNames() }) });
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
