import fs from 'node:fs';
import path from 'node:path';
import { ImportRejected, type ImportSummary } from '../../server/imports/imports.errors.ts';
import { isPhoneRegion } from '../../server/imports/imports.phones.ts';
import { PRESET_NAMES, type PresetName } from '../../server/imports/imports.presets.ts';
import { VOTER_COLUMNS, type VoterFieldName } from '../../server/imports/imports.voter-columns.ts';
import type { Services } from '../../server/services.ts';
import { parseOptions, UsageError } from './args.ts';
import { withServices } from './open.ts';
import { progressReporter } from './progress.ts';

/**
 * `relance import <stations|areas|voters|baselines> <file> [options]`: the same imports as the
 * admin page, with the same summary. It exits with 1 when nothing was imported.
 */

export const IMPORT_KINDS = ['stations', 'areas', 'voters', 'baselines'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

const OPTIONS = {
  preset: { type: 'string' },
  map: { type: 'string', multiple: true },
  election: { type: 'string' },
  json: { type: 'boolean' },
  region: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  errors: { type: 'string' },
} as const;

/** Thrown when the import ran but imported nothing: its summary is printed, and the exit code is 1. */
export class NothingImported extends Error {
  override name = 'NothingImported';
  constructor(
    message: string,
    readonly summary: ImportSummary | undefined,
  ) {
    super(message);
  }
}

function presetOption(value: string | undefined): PresetName | undefined {
  if (value === undefined) return undefined;
  if (!PRESET_NAMES.includes(value as PresetName))
    throw new UsageError(`--preset must be one of ${PRESET_NAMES.join(', ')} (got ${value}).`);
  return value as PresetName;
}

function mapOption(values: string[] | undefined): Partial<Record<string, VoterFieldName>> {
  const map: Partial<Record<string, VoterFieldName>> = {};
  for (const entry of values ?? []) {
    const at = entry.lastIndexOf('=');
    const [column, target] = [entry.slice(0, at).trim(), entry.slice(at + 1).trim()];
    if (at <= 0 || !VOTER_COLUMNS.includes(target as VoterFieldName)) {
      throw new UsageError(`--map takes <column>=<field>, the field one of ${VOTER_COLUMNS.join(', ')} (got ${entry}).`);
    }
    map[column] = target as VoterFieldName;
  }
  return map;
}

function errorReportPath(file: string, given: string | undefined): string {
  if (given) return path.resolve(given);
  const parsed = path.parse(path.resolve(file));
  return path.join(parsed.dir, `${parsed.name}.errors.csv`);
}

async function electionId(services: Services, given: string | undefined): Promise<number> {
  if (given === undefined) return (await services.elections.requireCurrent()).id;
  const id = Number(given);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError(`--election takes an election id (got ${given}).`);
  return id;
}

function printSummary(summary: ImportSummary, json: boolean) {
  if (json) console.log(JSON.stringify(summary));
}

export async function runImport(kind: ImportKind, args: string[]) {
  const { values, positionals } = parseOptions(args, OPTIONS);
  const file = positionals[0];
  if (!file) throw new UsageError(`Give the file to import: relance import ${kind} <file>.`);
  if (!fs.existsSync(file)) throw new UsageError(`No file ${file}.`);
  const json = values.json ?? false;
  const region = values.region?.toUpperCase();
  if (region !== undefined && !isPhoneRegion(region))
    throw new UsageError(`--region takes a two-letter country code such as FR or BE (got ${values.region}).`);
  if (kind !== 'voters' && (values.preset || values.map)) throw new UsageError('--preset and --map are for voter files.');
  const errorReport = errorReportPath(file, values.errors);
  fs.rmSync(errorReport, { force: true });

  await withServices(async (services) => {
    const id = await electionId(services, values.election);
    const actor = null;
    let summary: ImportSummary;
    try {
      if (kind === 'voters') {
        const progress = progressReporter(fs.statSync(file).size);
        const result = await services.imports
          .voters(id, fs.createReadStream(file), actor, {
            preset: presetOption(values.preset),
            map: mapOption(values.map),
            region: region as never,
            onErrors: values['skip-invalid'] ? 'skip-rows' : 'reject-file',
            errorReport,
            dryRun: values['dry-run'],
            onProgress: (p) => progress.update(p),
          })
          .finally(() => progress.done());
        summary = { read: result.read, imported: result.imported, rejected: result.rejected, errorReport: result.errorReport };
        const mapping = Object.entries(result.mapping).map(([to, from]) => (from === to ? to : `${from} → ${to}`));
        console.log(
          `Read ${result.format.encoding}${result.format.bom ? ' with BOM' : ''}, separated by ${result.format.separator === '\t' ? 'tabs' : `"${result.format.separator}"`}, as a ${result.preset} file.`,
        );
        console.log(`Columns: ${mapping.join(', ')}.`);
        if (result.ignoredColumns.length > 0) console.log(`Columns not used: ${result.ignoredColumns.join(', ')}.`);
        const { erased, objected } = result.suppressed;
        if (erased + objected > 0) {
          console.log(`Suppression list: ${erased} erased people left out, ${objected} who objected marked do-not-contact.`);
        }
        if (result.dryRun) {
          console.log('First rows as they would be imported:');
          for (const row of result.preview)
            console.log(
              `  ${Object.entries(row)
                .filter(([, v]) => v !== '')
                .map(([k, v]) => `${k}=${v}`)
                .join('  ')}`,
            );
          console.log(
            `Dry run, nothing was changed: ${result.imported} of ${result.read} rows would be imported (${result.created} new, ${result.updated} updated).`,
          );
        } else {
          console.log(`Imported ${result.imported} people: ${result.created} new, ${result.updated} updated.`);
        }
      } else {
        summary = await services.imports.file(kind, id, file, actor, {
          errorReport,
          onErrors: values['skip-invalid'] ? 'skip-rows' : 'reject-file',
        });
        console.log(
          `Imported ${summary.imported} ${kind === 'baselines' ? 'station baselines' : kind === 'stations' ? 'polling stations' : 'areas'}.`,
        );
      }
    } catch (error) {
      if (error instanceof ImportRejected) {
        const rejected = error.summary ?? { read: 0, imported: 0, rejected: 0, errorReport: null };
        throw new NothingImported(
          `${error.message}${rejected.errorReport ? `\nEvery rejected row is listed in ${rejected.errorReport}.` : ''}`,
          rejected,
        );
      }
      throw error;
    }
    if (summary.rejected > 0 && summary.errorReport) console.log(`${summary.rejected} rows were rejected: see ${summary.errorReport}.`);
    if (summary.imported === 0 && !values['dry-run'])
      throw new NothingImported(`Nothing was imported: the file has no row to import.`, summary);
    printSummary(summary, json);
  });
}

/** For the main error handler: the summary line of an import that imported nothing. */
export function printFailedSummary(error: NothingImported, args: string[]) {
  console.error(error.message);
  if (args.includes('--json')) console.log(JSON.stringify(error.summary ?? { read: 0, imported: 0, rejected: 0, errorReport: null }));
}
