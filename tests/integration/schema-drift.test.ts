import fs from 'node:fs';
import path from 'node:path';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';
import { createTestDatabase } from '../setup/database.ts';

/**
 * The SQL migrations are written by hand (the schema engine that would generate them cannot be
 * downloaded here): this test fails when applying them does not give exactly the database that
 * prisma/schema.prisma describes — tables, columns and types, nullability, defaults, indexes,
 * foreign keys and enums — with Prisma's own naming, so `prisma migrate diff` would find nothing.
 */

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  nativeType: [string, string[]] | null;
  default?: { name: string } | unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
    indexes: { model: string; type: 'id' | 'unique' | 'normal'; dbName?: string | null; fields: { name: string }[] }[];
  };
}

const schema = fs.readFileSync(path.join(PROJECT_ROOT, 'prisma', 'schema.prisma'), 'utf8');
const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schema]] }))) as Dmmf;
const models = new Map(dmmf.datamodel.models.map((m) => [m.name, m]));
const enumTypes = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
const tableOf = (model: string) => models.get(model)!.dbName ?? model;
const columnOf = (model: string, field: string) => {
  const found = models.get(model)!.fields.find((f) => f.name === field)!;
  return found.dbName ?? found.name;
};

/** PostgreSQL type Prisma gives a field (information_schema's udt_name, with a precision for times). */
function expectedType(field: DmmfField): string {
  if (field.kind === 'enum') return enumTypes.get(field.type)!;
  const native = field.nativeType?.[0];
  const base: Record<string, string> = {
    String: native === 'Uuid' ? 'uuid' : 'text',
    Int: native === 'SmallInt' ? 'int2' : 'int4',
    BigInt: 'int8',
    Float: 'float8',
    Boolean: 'bool',
    Json: 'jsonb',
    DateTime: native === 'Date' ? 'date' : native === 'Timestamptz' ? `timestamptz(${field.nativeType![1][0] ?? 6})` : 'timestamp(3)',
  };
  const type = base[field.type];
  if (!type) throw new Error(`no mapping for ${field.type}`);
  return field.isList ? `_${type}` : type;
}

/** Prisma's default constraint names, cut to PostgreSQL's 63 characters the way Prisma cuts them. */
function prismaName(table: string, columns: string[], suffix: 'pkey' | 'key' | 'idx' | 'fkey'): string {
  const prefix = suffix === 'pkey' ? table : `${table}_${columns.join('_')}`;
  return `${prefix.slice(0, 63 - suffix.length - 1)}_${suffix}`;
}

let client: pg.Client;
let drop: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  drop = database.discard;
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await drop();
});

describe('the SQL migrations build the database schema.prisma describes', () => {
  it('has the same tables', async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual([...models.keys()].map(tableOf).sort());
  });

  it('has the same columns, types, nullability and defaults', async () => {
    const { rows } = await client.query<{
      table_name: string;
      column_name: string;
      udt_name: string;
      is_nullable: 'YES' | 'NO';
      column_default: string | null;
      datetime_precision: number | null;
    }>(`SELECT table_name, column_name, udt_name, is_nullable, column_default, datetime_precision
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`);
    const actual = rows
      .map((r) => {
        const type = r.udt_name === 'timestamptz' || r.udt_name === 'timestamp' ? `${r.udt_name}(${r.datetime_precision})` : r.udt_name;
        return `${r.table_name}.${r.column_name} ${type} ${r.is_nullable === 'YES' ? 'null' : 'not null'} ${r.column_default === null ? 'no default' : 'default'}`;
      })
      .sort();
    const expected = [...models.values()]
      .flatMap((model) =>
        model.fields
          .filter((f) => f.kind !== 'object')
          .map((f) => {
            // Prisma creates scalar lists as nullable arrays.
            const nullable = !f.isRequired || f.isList;
            return `${tableOf(model.name)}.${f.dbName ?? f.name} ${expectedType(f)} ${nullable ? 'null' : 'not null'} ${f.hasDefaultValue ? 'default' : 'no default'}`;
          }),
      )
      .sort();
    expect(actual).toEqual(expected);
  });

  it('has the same enums and values, in order', async () => {
    const { rows } = await client.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' GROUP BY t.typname`,
    );
    const actual = Object.fromEntries(rows.map((r) => [r.typname, r.labels]));
    const expected = Object.fromEntries(dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]));
    expect(actual).toEqual(expected);
  });

  it('has the same primary keys, unique constraints and indexes, with Prisma’s names', async () => {
    // A chase entry's id is indexed only once a volunteer has taken the entry (decision 031): the
    // schema's primary key stands for that partial hash index, which cannot be unique.
    const standIns: Record<string, string> = { 'chase_entry_pkey ON chase_entry(id) unique': 'chase_entry_taken_idx ON chase_entry(id)' };
    const { rows } = await client.query<{ name: string; table_name: string; is_unique: boolean; columns: string[] }>(
      `SELECT i.relname AS name, t.relname AS table_name, ix.indisunique AS is_unique,
              array_agg(a.attname::text ORDER BY k.ordinality) AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ordinality)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
       WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
       GROUP BY i.relname, t.relname, ix.indisunique`,
    );
    const actual = rows.map((r) => `${r.name} ON ${r.table_name}(${r.columns.join(', ')})${r.is_unique ? ' unique' : ''}`).sort();
    const expected = dmmf.datamodel.indexes
      .map((index) => {
        const table = tableOf(index.model);
        const columns = index.fields.map((f) => columnOf(index.model, f.name));
        const suffix = index.type === 'id' ? 'pkey' : index.type === 'unique' ? 'key' : 'idx';
        const prismaIndex = index.dbName ?? prismaName(table, columns, suffix);
        const line = `${prismaIndex} ON ${table}(${columns.join(', ')})${index.type === 'normal' ? '' : ' unique'}`;
        return standIns[line] ?? line;
      })
      .sort();
    expect(actual).toEqual(expected);
  });

  it('hands out chase entry ids a thousand at a time, and every other id one at a time (decision 034)', async () => {
    const { rows } = await client.query<{ sequencename: string; cache_size: string }>(
      `SELECT sequencename, cache_size FROM pg_sequences WHERE schemaname = 'public' AND cache_size <> 1`,
    );
    expect(rows.map((row) => [row.sequencename, Number(row.cache_size)])).toEqual([['chase_entry_id_seq', 1000]]);
  });

  it('has the same foreign keys, with their ON DELETE rules', async () => {
    // Relations kept by triggers instead (decision 028): the schema names them, the database has none.
    const byTriggers = new Set(['chase_entry_list_id_fkey', 'chase_entry_voter_id_fkey', 'chase_entry_assignee_id_fkey']);
    const { rows } = await client.query<{
      name: string;
      table_name: string;
      columns: string[];
      target: string;
      target_columns: string[];
      on_delete: string;
    }>(
      `SELECT c.conname AS name, t.relname AS table_name, r.relname AS target, c.confdeltype AS on_delete,
              (SELECT array_agg(a.attname::text ORDER BY k.o) FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns,
              (SELECT array_agg(a.attname::text ORDER BY k.o) FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS target_columns
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE c.contype = 'f' AND n.nspname = 'public'`,
    );
    const rules: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };
    const actual = rows
      .map(
        (r) =>
          `${r.name}: ${r.table_name}(${r.columns.join(', ')}) -> ${r.target}(${r.target_columns.join(', ')}) ON DELETE ${rules[r.on_delete]}`,
      )
      .sort();
    const expected = [...models.values()]
      .flatMap((model) =>
        model.fields
          .filter((f) => f.kind === 'object' && f.relationFromFields && f.relationFromFields.length > 0)
          .map((f) => {
            const table = tableOf(model.name);
            const columns = f.relationFromFields!.map((name) => columnOf(model.name, name));
            const targetColumns = f.relationToFields!.map((name) => columnOf(f.type, name));
            const required = f.relationFromFields!.every((name) => model.fields.find((x) => x.name === name)!.isRequired);
            const onDelete = f.relationOnDelete ?? (required ? 'Restrict' : 'SetNull');
            return `${prismaName(table, columns, 'fkey')}: ${table}(${columns.join(', ')}) -> ${tableOf(f.type)}(${targetColumns.join(', ')}) ON DELETE ${onDelete}`;
          }),
      )
      .filter((key) => !byTriggers.has(key.slice(0, key.indexOf(':'))))
      .sort();
    expect(actual).toEqual(expected);
  });
});
