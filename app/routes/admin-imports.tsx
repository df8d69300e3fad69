import { useState, type FormEvent } from 'react';
import { CsrfInput } from '../components/csrf-input.tsx';
import { useLocale, useT, type MessageKey } from '../i18n/i18n.ts';
import type { Route } from './+types/admin-imports';

/**
 * The import page: the same imports as `relance import`, through the upload route
 * (server/imports/imports.upload.ts). With script, the file is sent with fetch and the answer read
 * line by line: a live progress bar, then the summary, the first rows as Relance reads them and the
 * error report. Without script, the form posts and the page comes back with the summary.
 */

const KINDS = ['voters', 'stations', 'areas', 'baselines'] as const;
const PRESETS = ['', 'nationbuilder', 'ngpvan', 'relance'] as const;

export async function loader({ context, request }: Route.LoaderArgs) {
  context.requireRole(context.access.importData);
  const params = new URL(request.url).searchParams;
  const summary = params.has('read')
    ? {
        kind: params.get('kind') ?? '',
        read: Number(params.get('read')),
        imported: Number(params.get('imported')),
        rejected: Number(params.get('rejected')),
        report: /^[a-z]+-[0-9a-f]{24}\.errors\.csv$/.test(params.get('report') ?? '') ? params.get('report') : null,
        failed: params.get('failed') === '1',
      }
    : null;
  const election = await context.services.elections.current();
  return { summary, election: election ? { name: election.name } : null };
}

interface Progress {
  rows: number;
  bytes: number;
  total?: number;
}

interface Outcome {
  kind: string;
  read: number;
  imported: number;
  rejected: number;
  errorReport: string | null;
  dryRun?: boolean;
  created?: number;
  updated?: number;
  format?: { encoding: string; bom: boolean; separator: string };
  preset?: string;
  mapping?: Record<string, string>;
  ignoredColumns?: string[];
  preview?: Record<string, string>[];
  problems?: { line: number; field: string | null; message: string }[];
  problemCount?: number;
}

type State =
  | { phase: 'idle' }
  | { phase: 'running'; progress: Progress; started: number }
  | { phase: 'done'; outcome: Outcome }
  | { phase: 'rejected'; outcome: Outcome }
  | { phase: 'error'; message: string };

function seconds(value: number) {
  const s = Math.max(0, Math.round(value));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function Summary({ outcome, failed }: { outcome: Outcome; failed: boolean }) {
  const t = useT();
  const locale = useLocale();
  const n = (value: number) => value.toLocaleString(locale);
  return (
    <div className={`alert ${failed ? 'alert-error' : 'alert-success'}`} role={failed ? 'alert' : 'status'}>
      <h2>{failed ? t('imports.failed') : outcome.dryRun ? t('imports.dryRunDone') : t('imports.done')}</h2>
      <dl className="figures">
        <div className="figure">
          <dt>{t('imports.read')}</dt>
          <dd className="figure-value">{n(outcome.read)}</dd>
        </div>
        <div className="figure">
          <dt>{outcome.dryRun ? t('imports.wouldImport') : t('imports.imported')}</dt>
          <dd className="figure-value">{n(failed ? 0 : outcome.imported)}</dd>
        </div>
        <div className="figure">
          <dt>{t('imports.rejected')}</dt>
          <dd className="figure-value">{n(outcome.rejected)}</dd>
        </div>
      </dl>
      {outcome.errorReport && (
        <p>
          <a href={`/admin/imports/reports/${outcome.errorReport}`} download>
            {t('imports.report')}
          </a>
        </p>
      )}
    </div>
  );
}

function Preview({ outcome }: { outcome: Outcome }) {
  const t = useT();
  if (!outcome.mapping || !outcome.preview) return null;
  const fields = Object.keys(outcome.mapping);
  return (
    <section className="panel" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('imports.preview')}</h2>
      {outcome.format && (
        <p>
          {t('imports.readAs', {
            encoding: outcome.format.encoding + (outcome.format.bom ? ' (BOM)' : ''),
            separator: outcome.format.separator === '\t' ? 'tab' : outcome.format.separator,
            preset: outcome.preset ?? '',
          })}
        </p>
      )}
      {outcome.ignoredColumns && outcome.ignoredColumns.length > 0 && (
        <p>{t('imports.ignored', { columns: outcome.ignoredColumns.join(', ') })}</p>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="preview-title">
        <table className="data-table">
          <thead>
            <tr>
              {fields.map((field) => (
                <th scope="col" key={field}>
                  {field}
                  <br />
                  <span className="muted">← {outcome.mapping![field]}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {outcome.preview.map((row, i) => (
              <tr key={i}>
                {fields.map((field) => (
                  <td key={field}>{row[field]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Problems({ outcome }: { outcome: Outcome }) {
  const t = useT();
  if (!outcome.problems?.length) return null;
  return (
    <section className="panel" aria-labelledby="problems-title">
      <h2 id="problems-title">{t('imports.problems', { count: outcome.problemCount ?? outcome.problems.length })}</h2>
      <ul>
        {outcome.problems.map((p, i) => (
          <li key={i}>
            {p.line > 0 ? t('imports.line', { line: p.line }) : t('imports.file')}
            {p.field ? ` · ${p.field}` : ''} : {p.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function AdminImports({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const [state, setState] = useState<State>({ phase: 'idle' });
  const [kind, setKind] = useState<(typeof KINDS)[number]>('voters');

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const started = performance.now();
    setState({ phase: 'running', progress: { rows: 0, bytes: 0 }, started });
    try {
      const response = await fetch(form.action, { method: 'POST', body: new FormData(form), headers: { Accept: 'application/x-ndjson' } });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
        setState({ phase: 'error', message: body.error?.message ?? t('error.generic') });
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) {
          const message = JSON.parse(line) as { progress?: Progress; result?: Outcome; rejected?: Outcome; error?: { message: string } };
          if (message.progress) setState({ phase: 'running', progress: message.progress, started });
          if (message.result) setState({ phase: 'done', outcome: message.result });
          if (message.rejected) setState({ phase: 'rejected', outcome: message.rejected });
          if (message.error) setState({ phase: 'error', message: message.error.message });
        }
      }
    } catch {
      setState({ phase: 'error', message: t('imports.networkError') });
    }
  }

  const running = state.phase === 'running' ? state : undefined;
  const share = running?.progress.total ? Math.min(1, running.progress.bytes / running.progress.total) : undefined;
  const elapsed = running ? (performance.now() - running.started) / 1000 : 0;
  const rate = running && elapsed > 0 ? running.progress.rows / elapsed : 0;
  const left = share ? (elapsed / share) * (1 - share) : undefined;

  return (
    <section className="page" aria-labelledby="imports-title">
      <title>{`${t('imports.title')} — Relance`}</title>
      <h1 id="imports-title">{t('imports.title')}</h1>
      <p>{loaderData.election ? t('imports.intro', { election: loaderData.election.name }) : t('imports.noElection')}</p>

      {loaderData.summary && state.phase === 'idle' && (
        <Summary failed={loaderData.summary.failed} outcome={{ ...loaderData.summary, errorReport: loaderData.summary.report }} />
      )}
      {state.phase === 'done' && (
        <>
          <Summary outcome={state.outcome} failed={false} />
          <Preview outcome={state.outcome} />
        </>
      )}
      {state.phase === 'rejected' && (
        <>
          <Summary outcome={state.outcome} failed />
          <Problems outcome={state.outcome} />
        </>
      )}
      {state.phase === 'error' && (
        <p className="alert alert-error" role="alert">
          {state.message}
        </p>
      )}
      {running && (
        <div className="panel" role="status" aria-live="polite">
          <label htmlFor="import-progress">{t('imports.progress')}</label>
          <progress id="import-progress" max={1} value={share}>
            {share !== undefined ? `${Math.round(share * 100)} %` : ''}
          </progress>
          <p>
            {t('imports.rate', {
              rows: running.progress.rows.toLocaleString(locale),
              rate: Math.round(rate).toLocaleString(locale),
              left: left !== undefined ? seconds(left) : '…',
            })}
          </p>
        </div>
      )}

      <form method="post" action="/admin/imports/upload" encType="multipart/form-data" className="panel stack" onSubmit={submit}>
        <CsrfInput />
        <div className="field">
          <label htmlFor="import-kind">{t('imports.kind')}</label>
          <select id="import-kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`imports.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="import-file">{t('imports.file.label')}</label>
          <input
            id="import-file"
            name="file"
            type="file"
            required
            accept=".csv,.txt,.tsv,.geojson,.json"
            aria-describedby="import-file-hint"
          />
          <p id="import-file-hint" className="hint">
            {t(`imports.file.hint.${kind}` as MessageKey)}
          </p>
        </div>
        {kind === 'voters' && (
          <>
            <div className="field">
              <label htmlFor="import-preset">{t('imports.preset')}</label>
              <select id="import-preset" name="preset" defaultValue="">
                {PRESETS.map((p) => (
                  <option key={p} value={p}>
                    {t(`imports.preset.${p || 'auto'}` as MessageKey)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="import-map">{t('imports.map')}</label>
              <textarea id="import-map" name="map" rows={3} aria-describedby="import-map-hint" spellCheck={false} />
              <p id="import-map-hint" className="hint">
                {t('imports.map.hint')}
              </p>
            </div>
            <div className="field">
              <label>
                <input type="checkbox" name="dryRun" /> {t('imports.dryRun')}
              </label>
            </div>
          </>
        )}
        <fieldset className="field">
          <legend>{t('imports.onErrors')}</legend>
          <label>
            <input type="radio" name="onErrors" value="reject-file" defaultChecked /> {t('imports.onErrors.reject')}
          </label>
          <label>
            <input type="radio" name="onErrors" value="skip-rows" /> {t('imports.onErrors.skip')}
          </label>
        </fieldset>
        <button type="submit" className="button primary" disabled={state.phase === 'running'}>
          {t('imports.submit')}
        </button>
      </form>

      <section className="panel" aria-labelledby="exports-title">
        <h2 id="exports-title">{t('imports.exports.title')}</h2>
        <p>{t('imports.exports.intro')}</p>
        <ul>
          {(['nationbuilder', 'ngpvan', 'generic'] as const).map((format) => (
            <li key={format}>
              <a href={`/admin/imports/export?format=${format}`} download>
                {t(`imports.exports.${format}`)}
              </a>
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
