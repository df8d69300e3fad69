import { useT } from '../i18n/i18n.ts';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * Big keys for a thumb, for figures typed into `inputId`'s field. Extra keys (a dash, a comma) for
 * list numbers. The field itself stays a real input: a phone's own keyboard and a screen reader
 * work on it as well.
 */
export function Keypad({ onKey, extraKeys = [], ready }: { onKey: (key: string) => void; extraKeys?: string[]; ready: boolean }) {
  const t = useT();
  const keys = [...DIGITS, ...extraKeys, '0'];
  return (
    <div className="keypad" data-keypad-ready={ready ? '' : undefined}>
      {keys.map((key) => (
        <button key={key} type="button" className="key" onClick={() => onKey(key)} disabled={!ready}>
          {key}
        </button>
      ))}
      <button
        type="button"
        className="key key-erase"
        onClick={() => onKey('Backspace')}
        disabled={!ready}
        aria-label={t('watch.report.clear')}
      >
        ⌫
      </button>
    </div>
  );
}

/** A field's value after a key of the keypad. */
export function typed(value: string, key: string): string {
  return key === 'Backspace' ? value.slice(0, -1) : value + key;
}
