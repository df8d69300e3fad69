import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentSchema, parseConfig, PROJECT_ROOT } from '../../server/config.ts';

const example = fs.readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8');
const documented = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);

describe('.env.example', () => {
  it('documents every variable Relance reads, and no other', () => {
    expect([...new Set(documented)].sort()).toEqual(Object.keys(EnvironmentSchema.shape).sort());
  });

  it('holds values the configuration accepts', () => {
    const values = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(() => parseConfig(values)).not.toThrow();
  });
});
