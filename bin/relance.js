#!/usr/bin/env node
// `npx relance …`: the project's command-line tool, written in TypeScript and run through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/relance.ts');
