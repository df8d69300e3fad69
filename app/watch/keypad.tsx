import { useT } from '../i18n/i18n.ts';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
const ERASE = 'Backspace';

/**
 * Big keys for a thumb, laid out like a phone's: 1 to 9, then the erase key (or the first extra
 * key), 0 and the second extra key, for list numbers' dash and comma. The field itself stays a real input: a phone's own keyboard and a screen reader
 * work on it as well.
 */
export function Keypad({ onKey, extraKeys = [], ready }: { onKey: (key: string) => void; extraKeys?: string[]; ready: boolean }) {
  const t = useT();
  const keys = extraKeys.length === 0 ? [...DIGITS, ERASE, '0'] : [...DIGITS, extraKeys[0]!, '0', ...extraKeys.slice(1), ERASE];
  return (
    <div className="keypad" data-keypad-ready={ready ? '' : undefined}>
      {keys.map((key) =>
        key === ERASE ? (
          <button
            key={key}
            type="button"
            className="key key-erase"
            onClick={() => onKey(ERASE)}
            disabled={!ready}
            aria-label={t('watch.report.clear')}
          >
            ⌫
          </button>
        ) : (
          <button key={key} type="button" className="key" onClick={() => onKey(key)} disabled={!ready}>
            {key}
          </button>
        ),
      )}
    </div>
  );
}

/** A field's value after a key of the keypad. */
export function typed(value: string, key: string): string {
  return key === ERASE ? value.slice(0, -1) : value + key;
}
