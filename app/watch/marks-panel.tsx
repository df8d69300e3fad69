import { useState } from 'react';
import { v4 as uuid } from 'uuid';
import type { VoterOnRoll } from '../../server/watchers/watchers.marks.ts';
import { useT } from '../i18n/i18n.ts';
import { Keypad, typed } from './keypad.tsx';
import { parseListNumbers } from './list-numbers.ts';
import { enqueue, type OutboxItem } from './outbox.ts';

/** The strike list: list numbers typed fast, or a name found on the station's roll; undo. */
export function MarksPanel({
  stationCode,
  now,
  ready,
  marks,
}: {
  stationCode: string;
  now: () => number;
  ready: boolean;
  marks: OutboxItem[];
}) {
  const t = useT();
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<VoterOnRoll[] | null>(null);
  const [searchProblem, setSearchProblem] = useState<string | null>(null);

  async function mark(listNumbers: number[], action: 'mark' | 'undo' = 'mark') {
    await enqueue('mark', { id: uuid(), stationCode, listNumbers, action, markedAt: new Date(now()).toISOString() });
  }

  async function markTyped() {
    const parsed = parseListNumbers(value);
    if (!parsed.ok) {
      setProblem(t(`watch.marks.error.${parsed.problem}`, { part: parsed.part }));
      return;
    }
    await mark(parsed.numbers);
    setProblem(null);
    setValue('');
    setMessage(t('watch.marks.queued', { count: parsed.numbers.length }));
  }

  async function search() {
    setSearchProblem(null);
    try {
      const response = await fetch(`/api/v1/stations/${encodeURIComponent(stationCode)}/voters?q=${encodeURIComponent(query)}`);
      const body = (await response.json()) as VoterOnRoll[] | { error: { message: string } };
      if (!response.ok) setSearchProblem('error' in body ? body.error.message : null);
      else setFound(body as VoterOnRoll[]);
    } catch {
      setSearchProblem(t('watch.marks.searchOffline'));
    }
  }

  const undone = new Set(marks.map((item) => item.undoes).filter(Boolean));
  return (
    <div className="watch-panel">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void markTyped();
        }}
      >
        <label htmlFor="mark-numbers" className="big-label">
          {t('watch.marks.label')}
        </label>
        <input
          id="mark-numbers"
          className="big-number"
          inputMode="text"
          autoComplete="off"
          value={value}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'mark-problem' : undefined}
          onChange={(event) => (setValue(event.target.value), setProblem(null))}
        />
        {problem && (
          <p id="mark-problem" className="field-error">
            {problem}
          </p>
        )}
        <Keypad
          ready={ready}
          extraKeys={['-', ',']}
          onKey={(key) => (setValue((current) => typed(current, key === ',' ? ', ' : key)), setProblem(null))}
        />
        <button type="submit" className="button primary big-button" disabled={!ready}>
          {t('watch.marks.send')}
        </button>
        <p role="status" className="hint">
          {message}
        </p>
      </form>

      <form
        className="stack"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          void search();
        }}
      >
        <label htmlFor="mark-search">{t('watch.marks.search')}</label>
        <div className="search-row">
          <input
            id="mark-search"
            type="search"
            minLength={2}
            maxLength={60}
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
          <button type="submit" className="button" disabled={!ready || query.trim().length < 2}>
            {t('watch.marks.searchButton')}
          </button>
        </div>
        {searchProblem && <p className="field-error">{searchProblem}</p>}
        {found && found.length === 0 && <p className="hint">{t('watch.marks.noMatch')}</p>}
        {found && found.length > 0 && (
          <ul className="plain-list">
            {found.map((voter) => (
              <li key={voter.listNumber}>
                <span>
                  {voter.listNumber} — {voter.lastName} {voter.firstName}
                  {voter.votedAt && <span className="muted"> ({t('watch.marks.alreadyVoted')})</span>}
                </span>
                {!voter.votedAt && (
                  <button
                    type="button"
                    className="button small"
                    onClick={() => void mark([voter.listNumber]).then(() => setMessage(t('watch.marks.queued', { count: 1 })))}
                  >
                    {t('watch.marks.markOne', { number: voter.listNumber })}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </form>

      {marks.length > 0 && (
        <section aria-labelledby="recent-marks">
          <h2 id="recent-marks">{t('watch.marks.recent')}</h2>
          <ul className="plain-list">
            {marks
              .filter((item) => item.payload.action !== 'undo')
              .slice(-10)
              .reverse()
              .map((item) => {
                const numbers = item.payload.listNumbers as number[];
                return (
                  <li key={item.id}>
                    <span>{numbers.join(', ')}</span>
                    {undone.has(item.id) ? (
                      <span className="muted">{t('watch.marks.undone')}</span>
                    ) : (
                      <button
                        type="button"
                        className="button small"
                        onClick={() =>
                          void enqueue(
                            'mark',
                            { id: uuid(), stationCode, listNumbers: numbers, action: 'undo', markedAt: new Date(now()).toISOString() },
                            { undoes: item.id },
                          )
                        }
                      >
                        {t('watch.marks.undo')}
                      </button>
                    )}
                  </li>
                );
              })}
          </ul>
        </section>
      )}
    </div>
  );
}
