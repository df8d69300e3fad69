import busboy from 'busboy';
import express, { type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { requireRole } from '../auth/auth.guards.ts';
import { ACCESS, type Principal } from '../auth/auth.roles.ts';
import { DomainError, FormExpired, InvalidInput, statusOf, TooLarge } from '../errors.ts';
import type { Services } from '../services.ts';
import { ImportRejected, type ImportSummary } from './imports.errors.ts';
import { EXPORT_FORMATS, type ExportFormat } from './imports.exports.ts';
import { PRESET_NAMES, type PresetName } from './imports.presets.ts';
import { VOTER_COLUMNS, type VoterFieldName } from './imports.voter-columns.ts';

/**
 * The import page's file upload. Page forms are limited to 64 KB (server/http/bad-requests.ts), so
 * a campaign's file comes here instead: admins only, the form token checked before a byte of the
 * file is kept, the file streamed to disk (never held in memory) up to UPLOAD_LIMIT_BYTES, then
 * imported exactly as `relance import` does.
 *
 * The page's script asks for `application/x-ndjson`: the answer is then one JSON line per progress
 * step and a last line with the result. A browser without script gets a redirect back to the page
 * with the summary in its address.
 */

/** A million-person voter file is about 100 MB; this leaves room for wide exports. */
export const UPLOAD_LIMIT_BYTES = 512 * 1024 * 1024;
export const IMPORT_KINDS = ['voters', 'stations', 'areas', 'baselines'] as const;
type ImportKind = (typeof IMPORT_KINDS)[number];
const REPORT_NAME = /^[a-z]+-[0-9a-f]{24}\.errors\.csv$/;

interface UploadForm {
  kind: ImportKind;
  preset?: PresetName;
  map: Partial<Record<string, VoterFieldName>>;
  skipInvalid: boolean;
  dryRun: boolean;
  file: string;
  fileName: string;
}

/** `column=field` lines from the page's mapping box. */
function parseMap(text: string): Partial<Record<string, VoterFieldName>> {
  const map: Partial<Record<string, VoterFieldName>> = {};
  for (const line of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const at = line.lastIndexOf('=');
    const field = line.slice(at + 1).trim() as VoterFieldName;
    if (at <= 0 || !VOTER_COLUMNS.includes(field))
      throw new InvalidInput(`"${line}" must be <column>=<field>, the field one of ${VOTER_COLUMNS.join(', ')}.`, 'map');
    map[line.slice(0, at).trim()] = field;
  }
  return map;
}

/** Reads the multipart form: fields first (the form token before anything), the file to `folder`. */
function receive(req: Request, csrfToken: string, folder: string): Promise<UploadForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 20, fieldSize: 64 * 1024 } });
    } catch {
      reject(new InvalidInput('Send the file with the import form.'));
      return;
    }
    const fields: Record<string, string> = {};
    let saving: Promise<void> | undefined;
    let file: string | undefined;
    let fileName = '';
    let failed: unknown;
    const fail = (error: unknown) => {
      failed ??= error;
    };
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream, info) => {
      if (fields.csrf !== csrfToken) {
        fail(new FormExpired());
        stream.resume();
        return;
      }
      if (name !== 'file' || file) {
        stream.resume();
        return;
      }
      fileName = path.basename(info.filename || 'file');
      file = path.join(folder, `upload-${randomBytes(12).toString('hex')}`);
      stream.on('limit', () => fail(new TooLarge(`The file is larger than ${UPLOAD_LIMIT_BYTES / 1024 / 1024} MB.`)));
      saving = pipeline(stream, fs.createWriteStream(file, { mode: 0o600 })).catch(fail);
    });
    parser.on('error', (error) => reject(error instanceof Error ? new InvalidInput('The upload was cut off. Try again.') : error));
    parser.on('close', () => {
      void (async () => {
        await saving;
        if (fields.csrf !== csrfToken) failed ??= new FormExpired();
        if (failed) {
          if (file) fs.rmSync(file, { force: true });
          return reject(failed);
        }
        if (!file) return reject(new InvalidInput('Choose a file to import.', 'file'));
        try {
          const kind = fields.kind as ImportKind;
          if (!IMPORT_KINDS.includes(kind)) throw new InvalidInput('Choose what the file holds.', 'kind');
          const preset = fields.preset ? (fields.preset as PresetName) : undefined;
          if (preset && !PRESET_NAMES.includes(preset)) throw new InvalidInput('Choose a known format.', 'preset');
          resolve({
            kind,
            preset,
            map: parseMap(fields.map ?? ''),
            skipInvalid: fields.onErrors === 'skip-rows',
            dryRun: fields.dryRun === 'on' || fields.dryRun === 'true',
            file,
            fileName,
          });
        } catch (error) {
          fs.rmSync(file, { force: true });
          reject(error);
        }
      })();
    });
    req.pipe(parser);
  });
}

export interface UploadResult extends ImportSummary {
  kind: ImportKind;
  dryRun: boolean;
  /** For voter files: how the file was read, and its first rows as Relance reads them. */
  format?: { encoding: string; bom: boolean; separator: string };
  preset?: string;
  mapping?: Record<string, string>;
  ignoredColumns?: string[];
  preview?: Record<string, string>[];
  created?: number;
  updated?: number;
}

async function runImport(services: Services, form: UploadForm, actor: Principal, errorReport: string, onProgress: (p: object) => void) {
  const electionId = (await services.elections.requireCurrent()).id;
  const onErrors = form.skipInvalid ? ('skip-rows' as const) : ('reject-file' as const);
  if (form.kind === 'voters') {
    const total = fs.statSync(form.file).size;
    const result = await services.imports.voters(electionId, fs.createReadStream(form.file), actor, {
      preset: form.preset,
      map: form.map,
      onErrors,
      errorReport,
      dryRun: form.dryRun,
      onProgress: ({ rows, bytes }) => onProgress({ rows, bytes, total }),
    });
    const { read, imported, rejected, created, updated, format, preset, mapping, ignoredColumns, preview, dryRun } = result;
    return {
      kind: form.kind,
      read,
      imported,
      rejected,
      errorReport: result.errorReport,
      created,
      updated,
      format,
      preset,
      mapping,
      ignoredColumns,
      preview,
      dryRun,
    };
  }
  // GeoJSON stations are told from CSV ones by the file's name, as on the command line.
  const file = form.kind === 'stations' && /\.(geo)?json$/i.test(form.fileName) ? `${form.file}.geojson` : form.file;
  if (file !== form.file) fs.renameSync(form.file, file);
  form.file = file;
  const summary = await services.imports.file(form.kind, electionId, file, actor, { onErrors, errorReport });
  return { kind: form.kind, ...summary, dryRun: false };
}

/** `POST /admin/imports/upload` and `GET /admin/imports/reports/:name` (the error reports). */
export function importUploadRoutes(services: Services) {
  const folder = path.join(services.config.dataDir, 'imports');
  const router = express.Router();

  router.post('/admin/imports/upload', async (req: Request, res: Response) => {
    const streaming = (req.headers.accept ?? '').includes('application/x-ndjson');
    let form: UploadForm | undefined;
    try {
      const actor = requireRole(res.locals.principal, ACCESS.importData);
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
      form = await receive(req, res.locals.csrfToken, folder);
      const reportName = `${form.kind}-${randomBytes(12).toString('hex')}.errors.csv`;
      const errorReport = path.join(folder, reportName);
      if (streaming) {
        res.status(200).type('application/x-ndjson');
        res.write(`${JSON.stringify({ progress: { rows: 0, bytes: 0 } })}\n`);
      }
      let result: UploadResult;
      try {
        result = await runImport(
          services,
          form,
          actor,
          errorReport,
          (progress) => streaming && res.write(`${JSON.stringify({ progress })}\n`),
        );
      } catch (error) {
        if (!(error instanceof ImportRejected)) throw error;
        const summary = error.summary ?? { read: 0, imported: 0, rejected: 0, errorReport: null };
        result = { kind: form.kind, ...summary, dryRun: form.dryRun };
        const problems = error.problems.map((p) => ({ line: p.line, field: p.field ?? null, message: p.message }));
        const answer = { ...result, errorReport: summary.errorReport ? reportName : null, problems, problemCount: error.problemCount };
        if (streaming) return res.end(`${JSON.stringify({ rejected: answer })}\n`);
        return res.redirect(
          303,
          `/admin/imports?${new URLSearchParams({ kind: form.kind, read: String(answer.read), imported: '0', rejected: String(answer.rejected || answer.problemCount), report: answer.errorReport ?? '', failed: '1' })}`,
        );
      }
      const answer = { ...result, errorReport: result.errorReport ? reportName : null };
      if (streaming) return res.end(`${JSON.stringify({ result: answer })}\n`);
      res.redirect(
        303,
        `/admin/imports?${new URLSearchParams({ kind: form.kind, read: String(answer.read), imported: String(answer.imported), rejected: String(answer.rejected), report: answer.errorReport ?? '' })}`,
      );
    } catch (error) {
      if (!(error instanceof DomainError)) {
        services.log.error({ err: { message: (error as Error).message, stack: (error as Error).stack } }, 'import upload failed');
      }
      const known = error instanceof DomainError ? error : undefined;
      const body = {
        error: { code: known?.code ?? 'internal', message: known?.message ?? 'The import failed. Try again.', field: known?.field ?? null },
      };
      if (res.headersSent) return res.end(`${JSON.stringify(body)}\n`);
      // Unread parts of a refused upload are not worth reading.
      res.setHeader('Connection', 'close');
      res.status(known ? statusOf(known) : 500).json(body);
    } finally {
      if (form) fs.rmSync(form.file, { force: true });
    }
  });

  router.get('/admin/imports/export', async (req: Request, res: Response) => {
    try {
      const actor = requireRole(res.locals.principal, ACCESS.importData);
      const format = String(req.query.format ?? 'generic') as ExportFormat;
      if (!EXPORT_FORMATS.includes(format)) throw new InvalidInput(`format must be one of ${EXPORT_FORMATS.join(', ')}.`, 'format');
      const electionId = (await services.elections.requireCurrent()).id;
      res.type('text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="relance-${format}-${electionId}.csv"`);
      await services.exports.voters(electionId, format, actor, res);
      res.end();
    } catch (error) {
      if (!(error instanceof DomainError) || res.headersSent) throw error;
      res.status(statusOf(error)).json({ error: { code: error.code, message: error.message, field: error.field ?? null } });
    }
  });

  router.get('/admin/imports/reports/:name', (req: Request, res: Response) => {
    try {
      requireRole(res.locals.principal, ACCESS.importData);
    } catch (error) {
      const known = error as DomainError;
      return res.status(statusOf(known)).json({ error: { code: known.code, message: known.message, field: null } });
    }
    const name = String(req.params.name);
    const file = path.join(folder, name);
    if (!REPORT_NAME.test(name) || !fs.existsSync(file)) {
      return res.status(404).json({ error: { code: 'not_found', message: 'No such error report.', field: null } });
    }
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.type('text/csv; charset=utf-8').sendFile(file);
  });

  return router;
}
