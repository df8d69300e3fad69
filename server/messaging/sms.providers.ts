import { randomBytes } from 'node:crypto';
import type { Twilio } from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient.js';
import type { Config } from '../config.ts';

/**
 * Where a text leaves Relance: `local` (the default) sends nothing and gives the text a local SID,
 * the Outbox page being its record; `twilio` sends through Twilio with the official SDK. Both are
 * reached the same way by the worker (server/messaging/sms.worker.ts). See docs/sms.md.
 */
export interface SmsProvider {
  readonly name: 'local' | 'twilio';
  /** Sends one text; throws SmsSendError when it was not (or may not have been) accepted. */
  send(text: { to: string; body: string }): Promise<{ sid: string }>;
  /** SIDs of the texts to `to` with exactly `body` that the provider accepted since `since`: how a crash is reconciled. */
  findAccepted(query: { to: string; body: string; since: Date }): Promise<string[]>;
}

/**
 * What a failed send means for the outbox row:
 * - `retry`: certainly not accepted (429/20429, or no connection was made): back to pending, retried later;
 * - `permanent`: refused for good (an invalid or unreachable number, an opted-out recipient…): failed;
 * - `unknown`: the request may have been accepted (the connection dropped or timed out after it was
 *   sent, or the provider answered 5xx): the row stays in `sending` until it is reconciled.
 */
export class SmsSendError extends Error {
  override name = 'SmsSendError';
  constructor(
    readonly outcome: 'retry' | 'permanent' | 'unknown',
    /** Twilio's error code when it gave one, else the HTTP status or the network error's code. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Network errors raised before a connection carried the request: Twilio cannot have accepted it. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/**
 * Twilio's answer read as an outcome. 429 and its own 20429 ("too many requests") are safe to retry
 * (https://www.twilio.com/docs/api/errors/20429); any other 4xx is a refusal that a retry would
 * repeat (21211 invalid number, 21408 region not enabled, 21610 unsubscribed recipient, 21612 and
 * 21614 unreachable or not a mobile, 21606 sender not allowed, 30003 unreachable handset…).
 */
export function sendErrorOf(error: unknown): SmsSendError {
  const failure = error as { status?: number; code?: number | string; message?: string };
  if (typeof failure.status === 'number') {
    const code = String(failure.code ?? failure.status);
    if (failure.status === 429 || code === '20429') return new SmsSendError('retry', code, 'the provider asked to slow down');
    if (failure.status >= 400 && failure.status < 500)
      return new SmsSendError('permanent', code, failure.message ?? `refused (${failure.status})`);
    return new SmsSendError('unknown', code, `the provider answered ${failure.status}`);
  }
  const networkCode = typeof failure.code === 'string' ? failure.code : 'network';
  if (NOT_CONNECTED.has(networkCode)) return new SmsSendError('retry', networkCode, 'the provider could not be reached');
  return new SmsSendError('unknown', networkCode, 'the connection failed after the request was sent');
}

/** A local SID, shaped like Twilio's message SIDs: SM and 32 hexadecimal digits. */
export function localSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

function createLocalProvider(): SmsProvider {
  return {
    name: 'local',
    async send() {
      return { sid: localSid() };
    },
    // Nothing leaves the machine, so nothing can be found (and reconcile sends such texts again).
    async findAccepted() {
      return [];
    },
  };
}

/**
 * The SDK, loaded when the first text goes: it takes a second to load, which every process that
 * opens Relance (the CLI, local mode, the tests) would otherwise pay without sending anything.
 * With `apiUrl`, its own HTTP client is pointed at another host: a Twilio-compatible server (a
 * rehearsal's stand-in, or the tests' scripts/fake-twilio). Everything else (auth, form encoding,
 * paging, RestException) is the SDK's. Its own 429 retries stay off: the queue retries, paced.
 */
async function twilioClient(options: TwilioProviderOptions, timeout: number): Promise<Twilio> {
  const { default: twilio } = await import('twilio');
  class RedirectedRequestClient extends twilio.RequestClient {
    constructor(private readonly origin: URL) {
      super({ timeout, autoRetry: false });
    }

    override request<TData>(opts: BaseRequestClient.RequestOptions<TData>) {
      const uri = new URL(opts.uri);
      uri.protocol = this.origin.protocol;
      uri.host = this.origin.host;
      return super.request<TData>({ ...opts, uri: uri.href });
    }
  }
  return twilio(options.accountSid, options.authToken, {
    httpClient: options.apiUrl ? new RedirectedRequestClient(new URL(options.apiUrl)) : new twilio.RequestClient({ timeout }),
  });
}

export interface TwilioProviderOptions {
  accountSid: string;
  authToken: string;
  messagingServiceSid: string | null;
  fromNumber: string | null;
  apiUrl: string | null;
  /** Where Twilio posts delivery statuses. */
  statusCallback: string;
  /** How long to wait for Twilio's answer before the outcome is unknown. */
  timeoutMs?: number;
}

export function createTwilioProvider(options: TwilioProviderOptions): SmsProvider {
  let client: Promise<Twilio> | undefined;
  const sdk = () => (client ??= twilioClient(options, options.timeoutMs ?? 15_000));
  const sender = options.messagingServiceSid ? { messagingServiceSid: options.messagingServiceSid } : { from: options.fromNumber! };
  return {
    name: 'twilio',
    async send({ to, body }) {
      try {
        const message = await (await sdk()).messages.create({ to, body, statusCallback: options.statusCallback, ...sender });
        return { sid: message.sid };
      } catch (error) {
        throw sendErrorOf(error);
      }
    },
    async findAccepted({ to, body, since }) {
      const messages = await (await sdk()).messages.list({ to, dateSentAfter: since, pageSize: 100 });
      return messages.filter((message) => message.body === body && message.direction !== 'inbound').map((message) => message.sid);
    },
  };
}

export function createSmsProvider(config: Config): SmsProvider {
  if (config.sms.provider === 'local') return createLocalProvider();
  const { accountSid, authToken, messagingServiceSid, fromNumber, apiUrl } = config.sms.twilio;
  // config.ts refuses twilio without these.
  return createTwilioProvider({
    accountSid: accountSid!,
    authToken: authToken!,
    messagingServiceSid,
    fromNumber,
    apiUrl,
    statusCallback: `${config.publicUrl}/webhooks/twilio/status`,
  });
}
