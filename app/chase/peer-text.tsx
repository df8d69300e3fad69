import { useState } from 'react';
import { useFetcher } from 'react-router';
import type { CallView } from '../../server/chase/chase.claims.ts';
import { CsrfInput } from '../components/csrf-input.tsx';
import { FormAlert } from '../components/field.tsx';
import { formState, type FormState } from '../forms.ts';
import { useT } from '../i18n/i18n.ts';
import { previewText } from '../texts/text-preview.tsx';

export interface PeerTextOptions {
  templates: { id: number; name: string; body: string }[];
  stopLine: string;
  form: FormState<'entryId' | 'templateId'>['contract'];
}

/** The closing time as a text says it (sms.recipients.ts localTime): 20:00 on the election's clock. */
function closingTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/**
 * Texting the person on screen: a template chosen, the text as they will read it, then one tap to
 * send and one to confirm. The text goes through the outbox like any other (sendPeerText), with the
 * volunteer as its sender.
 */
export function PeerText({ call, options, timeZone }: { call: CallView; options: PeerTextOptions; timeZone: string }) {
  const t = useT();
  const fetcher = useFetcher<{ ok: true; messageId: number } | { ok: false }>();
  const [templateId, setTemplateId] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  const template = options.templates.find((candidate) => candidate.id === templateId) ?? null;
  const name = `${call.voter.firstName} ${call.voter.lastName}`;
  const sent = fetcher.data?.ok === true;
  const form = formState(options.form, fetcher.data);
  if (options.templates.length === 0 || !call.voter.phone) return null;
  const text =
    template &&
    previewText(template.body, {
      facts: {
        firstName: call.voter.firstName,
        stationName: call.station.name,
        stationAddress: call.station.address ?? '',
        closingTime: closingTime(call.station.closesAt, timeZone),
      },
      stopLine: options.stopLine,
    });
  return (
    <section className="peer-text" aria-labelledby="peer-text-title">
      <h3 id="peer-text-title">{t('peerText.title')}</h3>
      <div className="field">
        <label htmlFor="peer-text-template">{t('peerText.template')}</label>
        <select
          id="peer-text-template"
          value={templateId ?? ''}
          disabled={sent}
          onChange={(event) => {
            setTemplateId(event.target.value ? Number(event.target.value) : null);
            setConfirming(false);
          }}
        >
          <option value="">{t('peerText.choose')}</option>
          {options.templates.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </select>
      </div>
      {text && (
        <>
          <p className="hint">{t('peerText.preview', { name: call.voter.firstName })}</p>
          <p className="text-bubble" data-testid="peer-text-preview">
            {text}
          </p>
        </>
      )}
      <FormAlert form={form} />
      <div role="status" aria-live="polite">
        {sent && <p className="alert alert-success">{t('peerText.sent', { name })}</p>}
      </div>
      {template && !sent && !confirming && (
        <button type="button" className="button" onClick={() => setConfirming(true)}>
          {t('peerText.send', { name: call.voter.firstName })}
        </button>
      )}
      {template && !sent && confirming && (
        <fetcher.Form method="post" action="/calls" className="alert calls-confirm">
          <p>{t('peerText.confirmQuestion', { name, phone: call.voter.phone })}</p>
          <CsrfInput />
          <input type="hidden" name="entryId" value={call.entryId} />
          <input type="hidden" name="templateId" value={template.id} />
          <button type="submit" className="button primary" disabled={fetcher.state !== 'idle'}>
            {t('peerText.confirm')}
          </button>{' '}
          <button type="button" className="button" onClick={() => setConfirming(false)}>
            {t('peerText.cancel')}
          </button>
        </fetcher.Form>
      )}
    </section>
  );
}
