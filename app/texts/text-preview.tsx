import { SegmentedMessage } from 'sms-segments-calculator';
import type { TemplateSample } from '../../server/messaging/sms.templates.ts';
import type { TemplateField } from '../../server/messaging/sms.text.ts';
import { useT } from '../i18n/i18n.ts';

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * The text as `composeText` (server/messaging/sms.text.ts) writes it for the sample person, for
 * the editor's live preview: app/ cannot import server code, so this mirrors it, and a unit test
 * (tests/unit/text-preview.test.ts) checks that both give the same text.
 */
export function previewText(body: string, sample: Pick<TemplateSample, 'facts' | 'stopLine'>): string {
  const filled = body.replace(PLACEHOLDER, (placeholder, name: string) =>
    Object.hasOwn(sample.facts, name) ? sample.facts[name as TemplateField] : placeholder,
  );
  return `${filled.trim()}\n${sample.stopLine}`;
}

/** Placeholders the sample does not fill (a typo such as {fistName}), as written. */
export function unknownPlaceholdersIn(body: string, sample: Pick<TemplateSample, 'facts'>): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].filter((match) => !Object.hasOwn(sample.facts, match[1]!)).map((match) => match[0]))];
}

/** How the text is billed, by Twilio's own calculator: encoding, characters, segments. */
export function measureText(text: string) {
  const message = new SegmentedMessage(text, 'auto');
  return {
    encoding: message.encodingName,
    characters: message.numberOfCharacters,
    segments: message.segmentsCount,
    /** Characters that force UCS-2, each once. */
    nonGsm: [...new Set(message.getNonGsmCharacters())],
  };
}

/** A character as the warning shows it: visible even when it is a space or a line break of another kind. */
function shown(character: string): string {
  return /\s/.test(character) ? `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : character;
}

/** The sample person's text as a phone would show it, and its length in segments. */
export function TextPreview({ body, sample, id }: { body: string; sample: TemplateSample; id: string }) {
  const t = useT();
  const text = previewText(body, sample);
  const { encoding, characters, segments } = measureText(text);
  // The sender line is the same in every text: its characters are for an admin to change, the rest for the writer.
  const ownNonGsm = measureText(previewText(body, { ...sample, stopLine: '' })).nonGsm;
  const senderNonGsm = measureText(sample.stopLine).nonGsm;
  const unknown = unknownPlaceholdersIn(body, sample);
  return (
    <section className="text-preview" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('texts.preview.title', { firstName: sample.facts.firstName })}</h3>
      <p className="hint">{t('texts.preview.sample', { station: sample.facts.stationName })}</p>
      <p className="text-bubble" data-testid="text-preview">
        {text}
      </p>
      <div aria-live="polite" aria-atomic="true">
        <dl className="text-counter" aria-label={t('texts.counter.label')}>
          <div>
            <dt>{t('texts.counter.encoding')}</dt>
            <dd data-testid="text-encoding">{encoding}</dd>
          </div>
          <div>
            <dt>{t('texts.counter.characters')}</dt>
            <dd data-testid="text-characters">{characters}</dd>
          </div>
          <div>
            <dt>{t('texts.counter.segments')}</dt>
            <dd data-testid="text-segments">{segments}</dd>
          </div>
        </dl>
        {ownNonGsm.length > 0 && (
          <p className="alert alert-warn" data-testid="text-ucs2">
            {t('texts.counter.ucs2', { characters: ownNonGsm.map(shown).join(' ') })}
          </p>
        )}
        {senderNonGsm.length > 0 && (
          <p className="alert alert-warn" data-testid="text-ucs2-sender">
            {t('texts.counter.ucs2Sender', { sender: sample.senderName, characters: senderNonGsm.map(shown).join(' ') })}
          </p>
        )}
        {unknown.length > 0 && <p className="alert alert-warn">{t('texts.counter.unknown', { names: unknown.join(' ') })}</p>}
      </div>
      <p className="hint">{t('texts.counter.help')}</p>
    </section>
  );
}
