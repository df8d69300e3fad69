import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { ChasePreview } from '../../server/chase/chase.builder.ts';
import type { ChaseListSummary } from '../../server/chase/chase.lists.ts';
import { formatCount, formatDuration, formatSignedShare } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { callApi } from './api.ts';

/** What a coordinator asked to chase: areas chosen on the map, or every area lagging past a threshold. */
export type ChaseTarget = { kind: 'areas'; areaCodes: string[]; names: string } | { kind: 'lagging' };

interface Criteria {
  channel: 'call' | 'sms';
  maxSupport: number;
  notContactedForMinutes: number;
  tags: string;
  /** In percent, as typed: 5 means 5 % behind. */
  lagPercent: number;
  name: string;
}

const DEFAULTS: Criteria = { channel: 'call', maxSupport: 2, notContactedForMinutes: 60, tags: '', lagPercent: 5, name: '' };

function requestBody(target: ChaseTarget, criteria: Criteria) {
  const tags = criteria.tags
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  return {
    ...(target.kind === 'areas' ? { areaCodes: target.areaCodes } : { lagThreshold: criteria.lagPercent / 100 }),
    channel: criteria.channel,
    maxSupport: criteria.maxSupport,
    notContactedForMinutes: criteria.notContactedForMinutes,
    ...(tags.length > 0 ? { tags } : {}),
    ...(criteria.name.trim() ? { name: criteria.name.trim() } : {}),
  };
}

/**
 * "Chase this area" / "Chase all lagging areas": a modal that previews who the list would hold
 * (by area and channel, and how long calling them would take), lets the criteria be changed, and
 * creates the list in one more click. A native modal dialog: the page behind is inert, Escape closes it.
 */
export function ChaseDialog({ target, onClose }: { target: ChaseTarget; onClose: () => void }) {
  const t = useT();
  const locale = useLocale();
  const dialog = useRef<HTMLDialogElement>(null);
  const [criteria, setCriteria] = useState<Criteria>(DEFAULTS);
  const [preview, setPreview] = useState<ChasePreview | null>(null);
  const [loading, setLoading] = useState(false);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<ChaseListSummary | null>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const refresh = useCallback(
    async (next: Criteria) => {
      setLoading(true);
      setError(null);
      const answer = await callApi<ChasePreview>('POST', '/api/v1/chase-lists/preview', requestBody(target, next));
      setLoading(false);
      if (!answer.ok) return setError(answer.error!.message || answer.error!.code);
      setPreview(answer.body);
    },
    [target],
  );

  useEffect(() => {
    void refresh(DEFAULTS);
  }, [refresh]);

  async function create() {
    setCreating(true);
    setError(null);
    const answer = await callApi<ChaseListSummary>('POST', '/api/v1/chase-lists', requestBody(target, criteria));
    setCreating(false);
    if (!answer.ok) return setError(answer.error!.message || answer.error!.code);
    setCreated(answer.body);
  }

  const set = <K extends keyof Criteria>(key: K, value: Criteria[K]) => setCriteria((known) => ({ ...known, [key]: value }));

  return (
    <dialog
      ref={dialog}
      className="chase-dialog"
      aria-labelledby="chase-dialog-title"
      aria-describedby="chase-dialog-for"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      // The panel behind closes on Escape too: this one key closes only the dialog.
      onKeyDown={(event) => {
        if (event.key === 'Escape') event.stopPropagation();
      }}
    >
      <div className="chase-dialog-head">
        <h2 id="chase-dialog-title">{t('chase.preview.title')}</h2>
        <button type="button" className="button small" onClick={onClose}>
          {t('chase.preview.close')}
        </button>
      </div>
      <p id="chase-dialog-for" className="muted">
        {target.kind === 'areas'
          ? t('chase.preview.forAreas', { areas: target.names })
          : t('chase.preview.forLagging', { threshold: criteria.lagPercent })}
      </p>

      <form
        className="chase-criteria"
        onSubmit={(event) => {
          event.preventDefault();
          void refresh(criteria);
        }}
      >
        <fieldset>
          <legend>{t('chase.preview.criteria')}</legend>
          <div className="chase-channel" role="radiogroup" aria-label={t('chase.preview.channel')}>
            {(['call', 'sms'] as const).map((channel) => (
              <label key={channel}>
                <input
                  type="radio"
                  name="channel"
                  value={channel}
                  checked={criteria.channel === channel}
                  onChange={() => set('channel', channel)}
                />{' '}
                {t(`chase.channel.${channel}`)}
              </label>
            ))}
          </div>
          <div className="field">
            <label htmlFor="chase-max-support">{t('chase.preview.maxSupport')}</label>
            <select id="chase-max-support" value={criteria.maxSupport} onChange={(event) => set('maxSupport', Number(event.target.value))}>
              {[1, 2, 3, 4, 5].map((level) => (
                <option key={level} value={level}>
                  {level}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="chase-not-contacted">{t('chase.preview.notContacted')}</label>
            <input
              id="chase-not-contacted"
              type="number"
              min={0}
              max={1440}
              required
              value={criteria.notContactedForMinutes}
              onChange={(event) => set('notContactedForMinutes', Number(event.target.value))}
            />
          </div>
          {target.kind === 'lagging' && (
            <div className="field">
              <label htmlFor="chase-lag">{t('chase.preview.lagThreshold')}</label>
              <input
                id="chase-lag"
                type="number"
                min={0}
                max={100}
                step={0.5}
                required
                value={criteria.lagPercent}
                onChange={(event) => set('lagPercent', Number(event.target.value))}
              />
            </div>
          )}
          <div className="field">
            <label htmlFor="chase-tags">{t('chase.preview.tags')}</label>
            <input
              id="chase-tags"
              type="text"
              maxLength={500}
              value={criteria.tags}
              onChange={(event) => set('tags', event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="chase-name">{t('chase.preview.name')}</label>
            <input
              id="chase-name"
              type="text"
              maxLength={100}
              value={criteria.name}
              onChange={(event) => set('name', event.target.value)}
            />
          </div>
          <button type="submit" className="button" disabled={loading}>
            {t('chase.preview.update')}
          </button>
        </fieldset>
      </form>

      <div className="chase-preview" role="status" aria-live="polite" aria-busy={loading}>
        {loading && !preview && <p>{t('chase.preview.loading')}</p>}
        {preview && <PreviewFigures preview={preview} />}
      </div>
      {error && (
        <p className="alert alert-error" role="alert">
          {t('chase.error', { message: error })}
        </p>
      )}

      <div className="chase-dialog-actions">
        {created ? (
          <p className="alert alert-success" role="status">
            {t('chase.preview.created', { name: created.name, count: formatCount(locale, created.progress.entries) })}{' '}
            <Link to={`/chase/${created.id}`}>{t('chase.preview.openList')}</Link>
          </p>
        ) : (
          <button
            type="button"
            className="button primary"
            onClick={() => void create()}
            disabled={creating || loading || !preview || preview.entries === 0}
          >
            {creating ? t('chase.preview.creating') : t('chase.preview.create', { count: formatCount(locale, preview?.entries ?? 0) })}
          </button>
        )}
      </div>
    </dialog>
  );
}

function PreviewFigures({ preview }: { preview: ChasePreview }) {
  const t = useT();
  const locale = useLocale();
  if (preview.byArea.length === 0) return <p>{t('chase.preview.noArea')}</p>;
  return (
    <>
      <dl className="chase-preview-figures">
        <div data-figure="supporters">
          <dt>{t('chase.preview.supporters')}</dt>
          <dd>{formatCount(locale, preview.supporters)}</dd>
        </div>
        <div data-figure="byPhone">
          <dt>{t('chase.preview.byPhone')}</dt>
          <dd>{formatCount(locale, preview.reachable.call)}</dd>
        </div>
        <div data-figure="bySms">
          <dt>{t('chase.preview.bySms')}</dt>
          <dd>{formatCount(locale, preview.reachable.sms)}</dd>
        </div>
        <div data-figure="entries">
          <dt>{t('chase.preview.entries')}</dt>
          <dd>{formatCount(locale, preview.entries)}</dd>
        </div>
      </dl>
      <p className="chase-estimate">
        {t('chase.preview.estimate', {
          duration: formatDuration(preview.estimate.minutes),
          volunteers: formatCount(locale, preview.estimate.volunteersOnline),
        })}
      </p>
      {preview.entries === 0 && <p>{t('chase.preview.empty')}</p>}
      <div className="table-scroll">
        <table className="chase-table">
          <thead>
            <tr>
              <th scope="col">{t('chase.preview.area')}</th>
              <th scope="col">{t('chase.preview.lag')}</th>
              <th scope="col">{t('chase.preview.supporters')}</th>
              <th scope="col">{t('chase.preview.byPhone')}</th>
              <th scope="col">{t('chase.preview.bySms')}</th>
              <th scope="col">{t('chase.preview.entries')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.byArea.map((area) => (
              <tr key={area.code} data-area={area.code}>
                <th scope="row">{area.name}</th>
                <td>{formatSignedShare(locale, area.lag)}</td>
                <td>{formatCount(locale, area.supporters)}</td>
                <td>{formatCount(locale, area.byPhone)}</td>
                <td>{formatCount(locale, area.bySms)}</td>
                <td>{formatCount(locale, area.inList)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
