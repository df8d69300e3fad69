import { inject } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../server/db/scratch-database.ts';

/** A fresh, migrated database of its own for one test file (a clone of the run's template). */
export function createTestDatabase(): Promise<ScratchDatabase> {
  return createScratchDatabase(inject('databaseAdminUrl'), { prefix: 'relance_test', template: inject('templateDatabase') });
}
