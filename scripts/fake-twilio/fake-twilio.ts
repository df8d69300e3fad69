/**
 * A Twilio-compatible Messages API on a local port, for tests, benchmarks and rehearsals: Relance's
 * Twilio provider reaches it through the official SDK (TWILIO_API_URL), exactly as it reaches
 * api.twilio.com. It keeps an append-only log of every text it accepted, which is what proves that
 * each text went out once, and plays faults on request: by phone number or by sequence, never by
 * reading the text itself.
 *
 *   node --import tsx scripts/fake-twilio/fake-twilio.ts --port 4010 [--account-sid AC…] [--auth-token …]
 *
 * Run on its own, it is also driven over HTTP: GET /fake/accepted (the log), POST /fake/faults (JSON,
 * the fields of `Faults` below).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

/** A create the server accepted (answered 201, or accepted then dropped the connection). */
export interface AcceptedMessage {
  sid: string;
  to: string;
  body: string;
  from: string | null;
  messagingServiceSid: string | null;
  statusCallback: string | null;
  acceptedAt: Date;
}

export interface Faults {
  /** Answer the next creates 429 (Twilio error 20429), whatever their number. */
  rateLimitNext?: number;
  /** Refuse every create to these numbers with this Twilio error code (400). */
  refuse?: Record<string, number>;
  /** Wait this long before answering every create. */
  delayMs?: number;
  /** Accept the next creates (they are logged) and drop the connection without answering. */
  dropAfterAcceptNext?: number;
}

export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  /** Every accepted create, in order; never rewritten. */
  readonly accepted: readonly AcceptedMessage[];
  /** Creates answered 429. */
  readonly rateLimited: number;
  /** Adds to the faults in play (counts add up, numbers are merged). */
  fault(faults: Faults): void;
  close(): Promise<void>;
}

export interface FakeTwilioOptions {
  port?: number;
  accountSid?: string;
  authToken?: string;
}

const PAGE_SIZE_MAX = 1000;

/** The date format of Twilio's JSON (RFC 2822). */
const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');

export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${'0'.repeat(32)}`;
  const authToken = options.authToken ?? 'fake-twilio-auth-token';
  const accepted: AcceptedMessage[] = [];
  const bySid = new Map<string, AcceptedMessage>();
  const faults = { rateLimitNext: 0, refuse: new Map<string, number>(), delayMs: 0, dropAfterAcceptNext: 0 };
  let rateLimited = 0;
  const base = `/2010-04-01/Accounts/${accountSid}`;

  const resource = (message: AcceptedMessage) => ({
    sid: message.sid,
    account_sid: accountSid,
    messaging_service_sid: message.messagingServiceSid,
    from: message.from,
    to: message.to,
    body: message.body,
    status: 'sent',
    direction: 'outbound-api',
    num_segments: '1',
    date_created: rfc2822(message.acceptedAt),
    date_updated: rfc2822(message.acceptedAt),
    date_sent: rfc2822(message.acceptedAt),
    error_code: null,
    error_message: null,
    price: null,
    price_unit: 'EUR',
    api_version: '2010-04-01',
    uri: `${base}/Messages/${message.sid}.json`,
    subresource_uris: {},
  });

  function answer(response: http.ServerResponse, status: number, payload: unknown) {
    const text = JSON.stringify(payload);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  }

  function twilioError(response: http.ServerResponse, status: number, code: number, message: string) {
    answer(response, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  }

  function authorized(request: http.IncomingMessage): boolean {
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    return request.headers.authorization === expected;
  }

  async function create(request: http.IncomingMessage, response: http.ServerResponse, form: URLSearchParams) {
    const to = form.get('To');
    const body = form.get('Body');
    const from = form.get('From');
    const messagingServiceSid = form.get('MessagingServiceSid');
    if (!to) return twilioError(response, 400, 21604, "A 'To' phone number is required.");
    if (!body) return twilioError(response, 400, 21602, 'Message body is required.');
    if (!from && !messagingServiceSid) return twilioError(response, 400, 21603, "A 'From' phone number is required.");
    if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    if (faults.rateLimitNext > 0) {
      faults.rateLimitNext -= 1;
      rateLimited += 1;
      return twilioError(response, 429, 20429, 'Too Many Requests');
    }
    const refusal = faults.refuse.get(to);
    if (refusal !== undefined) return twilioError(response, 400, refusal, 'The message cannot be sent to this number.');
    const message: AcceptedMessage = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      to,
      body,
      from,
      messagingServiceSid,
      statusCallback: form.get('StatusCallback'),
      acceptedAt: new Date(),
    };
    accepted.push(message);
    bySid.set(message.sid, message);
    if (faults.dropAfterAcceptNext > 0) {
      faults.dropAfterAcceptNext -= 1;
      request.socket.destroy();
      return;
    }
    answer(response, 201, resource(message));
  }

  function list(url: URL, response: http.ServerResponse) {
    const to = url.searchParams.get('To');
    const after = url.searchParams.get('DateSent>');
    const since = after ? new Date(after).getTime() : -Infinity;
    const pageSize = Math.min(Number(url.searchParams.get('PageSize') ?? 50) || 50, PAGE_SIZE_MAX);
    const page = Number(url.searchParams.get('Page') ?? 0) || 0;
    // Twilio lists the most recent first.
    const matching = accepted.filter((message) => (!to || message.to === to) && message.acceptedAt.getTime() >= since).reverse();
    const slice = matching.slice(page * pageSize, (page + 1) * pageSize);
    const query = (n: number) => {
      const params = new URLSearchParams(url.searchParams);
      params.set('Page', String(n));
      params.set('PageSize', String(pageSize));
      return `${base}/Messages.json?${params.toString()}`;
    };
    answer(response, 200, {
      messages: slice.map(resource),
      page,
      page_size: pageSize,
      start: page * pageSize,
      end: page * pageSize + Math.max(slice.length - 1, 0),
      uri: query(page),
      first_page_uri: query(0),
      next_page_uri: (page + 1) * pageSize < matching.length ? query(page + 1) : null,
      previous_page_uri: page > 0 ? query(page - 1) : null,
    });
  }

  function fault(more: Faults) {
    faults.rateLimitNext += more.rateLimitNext ?? 0;
    faults.dropAfterAcceptNext += more.dropAfterAcceptNext ?? 0;
    if (more.delayMs !== undefined) faults.delayMs = more.delayMs;
    for (const [number, code] of Object.entries(more.refuse ?? {})) faults.refuse.set(number, code);
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake-twilio');
      const text = Buffer.concat(chunks).toString('utf8');
      const route = `${request.method} ${url.pathname}`;
      if (route === 'GET /fake/accepted') return answer(response, 200, accepted);
      if (route === 'POST /fake/faults') {
        fault(JSON.parse(text || '{}') as Faults);
        return answer(response, 200, { ok: true });
      }
      if (!authorized(request)) return twilioError(response, 401, 20003, 'Authenticate');
      if (route === `POST ${base}/Messages.json`) return void create(request, response, new URLSearchParams(text));
      if (route === `GET ${base}/Messages.json`) return list(url, response);
      const fetched = url.pathname.match(new RegExp(`^${base}/Messages/(SM[0-9a-f]{32})\\.json$`));
      if (request.method === 'GET' && fetched) {
        const message = bySid.get(fetched[1]!);
        return message
          ? answer(response, 200, resource(message))
          : twilioError(response, 404, 20404, 'The requested resource was not found');
      }
      twilioError(response, 404, 20404, 'The requested resource was not found');
    });
  });
  // Keeps the SDK's kept-alive sockets open longer than any pause in a test or a benchmark, so that a
  // socket is never closed under a request the client just wrote (which would read as an unknown outcome).
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    accepted,
    get rateLimited() {
      return rateLimited;
    },
    fault,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '4010' }, 'account-sid': { type: 'string' }, 'auth-token': { type: 'string' } },
  });
  const fake = await startFakeTwilio({ port: Number(values.port), accountSid: values['account-sid'], authToken: values['auth-token'] });
  process.stdout.write(`fake Twilio listening on ${fake.url} (account ${fake.accountSid})\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
