/**
 * Runs the Prisma CLI (`prisma generate`, …) without downloading Prisma's schema engine.
 * Client generation runs in WebAssembly and needs no engine, but the CLI checks for the engine
 * binary at start and tries to download it when PRISMA_SCHEMA_ENGINE_BINARY is unset, which fails
 * offline. Pointing it at any existing file satisfies that check. See DEVELOPERS.md.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { PROJECT_ROOT } from '../server/config.ts';

const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [prismaCli, ...process.argv.slice(2)], {
  cwd: PROJECT_ROOT,
  stdio: 'inherit',
  env: { PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1', ...process.env },
});
process.exit(result.status ?? 1);
