import { describe, expect, it } from 'vitest';
import { createStatementNames } from '../../server/db/database.ts';

describe('prepared statement names', () => {
  it('names only the statements marked as hot, one name per SQL text', () => {
    const nameOf = createStatementNames();
    const claim = '\n  /* prepared: chase.claim */\n  WITH held AS (SELECT $1)';
    const renew = '/* prepared: chase.renew */ UPDATE chase_entry SET lease_expires_at = $1';
    const renewAgain = '/* prepared: chase.renew */ UPDATE chase_entry SET lease_expires_at = $1 WHERE id = $2';

    expect(nameOf({ sql: 'SELECT "public"."voter"."id" FROM "public"."voter" WHERE id = $1' })).toBe('');
    expect(nameOf({ sql: claim })).toBe('chase.claim#1');
    expect(nameOf({ sql: claim })).toBe('chase.claim#1');
    expect(nameOf({ sql: renew })).toBe('chase.renew#2');
    // Two texts under one label still get two names: a name never stands for two statements.
    expect(nameOf({ sql: renewAgain })).toBe('chase.renew#3');
  });
});
