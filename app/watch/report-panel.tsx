import { useState } from 'react';
import { v4 as uuid } from 'uuid';
import { formatCount } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { Keypad, typed } from './keypad.tsx';
import { enqueue } from './outbox.ts';
import { reportWarnings, type ReportWarning } from './report-checks.ts';

export interface LastReport {
  voters: number;
  observedAt: number;
}

/** The cumulative count from the signature sheet, typed on a keypad, checked, then queued. */
export function ReportPanel({
  stationCode,
  registered,
  last,
  now,
  ready,
}: {
  stationCode: string;
  registered: number;
  last: LastReport | null;
  now: () => number;
  ready: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const [value, setValue] = useState('');
  const [warnings, setWarnings] = useState<ReportWarning[]>([]);
  const [message, setMessage] = useState<string | null>(null);

  async function send(confirmed: boolean) {
    const voters = Number(value);
    if (value === '' || !Number.isInteger(voters)) {
      setMessage(t('watch.report.empty'));
      return;
    }
    const observedAt = now();
    const found = reportWarnings(voters, { registered, last }, observedAt);
    if (found.length > 0 && !confirmed) {
      setWarnings(found);
      return;
    }
    await enqueue('report', { id: uuid(), stationCode, voters, observedAt: new Date(observedAt).toISOString() });
    setWarnings([]);
    setValue('');
    setMessage(t('watch.report.queued', { count: formatCount(locale, voters) }));
  }

  return (
    <form
      className="watch-panel"
      onSubmit={(event) => {
        event.preventDefault();
        void send(false);
      }}
    >
      <label htmlFor="report-voters" className="big-label">
        {t('watch.report.label')}
      </label>
      <input
        id="report-voters"
        className="big-number"
        inputMode="numeric"
        pattern="[0-9]*"
        autoComplete="off"
        maxLength={6}
        value={value}
        onChange={(event) => {
          setValue(event.target.value.replace(/\D/g, ''));
          setWarnings([]);
        }}
      />
      <Keypad ready={ready} onKey={(key) => (setValue((current) => typed(current, key).slice(0, 6)), setWarnings([]))} />
      {warnings.length > 0 ? (
        <div className="alert alert-error confirm" role="alert">
          <h2>{t('watch.report.confirmTitle')}</h2>
          <ul>
            {warnings.map((warning) => (
              <li key={warning}>
                {t(`watch.report.${warning}`, {
                  count: formatCount(locale, warning === 'above_registered' ? registered : (last?.voters ?? 0)),
                })}
              </li>
            ))}
          </ul>
          <div className="row-actions">
            <button type="button" className="button primary" onClick={() => void send(true)}>
              {t('watch.report.confirm', { count: value })}
            </button>
            <button type="button" className="button" onClick={() => (setWarnings([]), document.getElementById('report-voters')?.focus())}>
              {t('watch.report.correct')}
            </button>
          </div>
        </div>
      ) : (
        <button type="submit" className="button primary big-button" disabled={!ready}>
          {t('watch.report.send')}
        </button>
      )}
      <p role="status" className="hint">
        {message}
      </p>
    </form>
  );
}
