import { useState } from 'react';
import { v4 as uuid } from 'uuid';
import type { StationFlagInput } from '../../server/watchers/watchers.schemas.ts';
import { useT } from '../i18n/i18n.ts';
import { enqueue } from './outbox.ts';

type Category = StationFlagInput['category'];

const FLAG_CATEGORIES: readonly Category[] = ['long_queue', 'missing_material', 'observer_refused', 'incident', 'other'];

/** A problem at the station, for the war room: a category, and a note. */
export function FlagPanel({ stationCode, now, ready }: { stationCode: string; now: () => number; ready: boolean }) {
  const t = useT();
  const [category, setCategory] = useState<Category | null>(null);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function send() {
    if (!category) return;
    if (category === 'other' && note.trim() === '') {
      setProblem(t('watch.flag.needNote'));
      return;
    }
    const trimmed = note.trim();
    await enqueue('flag', {
      id: uuid(),
      stationCode,
      category,
      observedAt: new Date(now()).toISOString(),
      ...(trimmed ? { note: trimmed } : {}),
    });
    setCategory(null);
    setNote('');
    setProblem(null);
    setMessage(t('watch.flag.queued'));
  }

  return (
    <form
      className="watch-panel stack"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <fieldset className="choices">
        <legend className="big-label">{t('watch.flag.category')}</legend>
        {FLAG_CATEGORIES.map((option) => (
          <label key={option} className="choice">
            <input
              type="radio"
              name="category"
              value={option}
              checked={category === option}
              onChange={() => setCategory(option)}
              required
            />
            {t(`watch.flag.${option}`)}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="flag-note">{t('watch.flag.note')}</label>
        <textarea
          id="flag-note"
          rows={3}
          maxLength={500}
          value={note}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'flag-problem' : undefined}
          onChange={(event) => (setNote(event.target.value), setProblem(null))}
        />
        {problem && (
          <p id="flag-problem" className="field-error">
            {problem}
          </p>
        )}
      </div>
      <button type="submit" className="button primary big-button" disabled={!ready || !category}>
        {t('watch.flag.send')}
      </button>
      <p role="status" className="hint">
        {message}
      </p>
    </form>
  );
}
