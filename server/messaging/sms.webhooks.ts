import express, { Router, type NextFunction, type Request, type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { apiErrorHandler } from '../api/api.errors.ts';
import type { Config } from '../config.ts';
import { neverCache } from '../http/security.ts';
import { parseInput } from '../fields.ts';
import type { Services } from '../services.ts';

/**
 * Twilio's webhooks (docs/sms-inbound.md): `POST /webhooks/twilio/status` (a sent text's status
 * callbacks) and `POST /webhooks/twilio/inbound` (a text to the campaign's number), form-encoded.
 *
 * Each request must carry a valid `X-Twilio-Signature`, checked by the official SDK against the
 * address Twilio was given: PUBLIC_URL, then the path and query as received. A missing or wrong
 * signature is refused with 403 before anything is read or changed; without a Twilio auth token
 * every call is refused, since nothing could be verified. There is no switch to turn the check
 * off: a forged STOP or report would be as good as a real one. The webhooks come from Twilio, not
 * from a browser, so the pages' origin check does not apply; their size limit does.
 */

/** Twilio posts a few dozen short fields; a text's body is at most 1,600 characters. */
export const WEBHOOK_LIMIT_BYTES = 64 * 1024;

const MessageSidSchema = z.string().regex(/^[A-Z]{2}[0-9a-fA-F]{32}$/, 'must be a Twilio message SID');

export const StatusWebhookSchema = z.object({
  MessageSid: MessageSidSchema,
  MessageStatus: z.string().min(1).max(40),
  ErrorCode: z.string().max(20).optional(),
});

export const InboundWebhookSchema = z.object({
  MessageSid: MessageSidSchema,
  From: z.string().min(1).max(64),
  To: z.string().max(64).default(''),
  Body: z.string().max(1600).default(''),
});

/** Refuses a request Twilio did not sign with this account's auth token. */
export function requireTwilioSignature(config: Pick<Config, 'publicUrl' | 'sms'>, log: Services['log']) {
  return (req: Request, res: Response, next: NextFunction) => {
    const authToken = config.sms.twilio.authToken;
    const signature = req.header('X-Twilio-Signature');
    const url = config.publicUrl + req.originalUrl;
    const params = (req.body ?? {}) as Record<string, unknown>;
    if (!authToken) {
      log.warn({ path: req.path }, 'twilio webhook refused: TWILIO_AUTH_TOKEN is not set, so no signature can be checked');
      res.status(403).json({
        error: { code: 'webhook_not_configured', message: 'Twilio webhooks need TWILIO_AUTH_TOKEN to be set.', field: null },
      });
      return;
    }
    if (!signature || !twilio.validateRequest(authToken, signature, url, params)) {
      log.warn({ path: req.path, signed: Boolean(signature) }, 'twilio webhook refused: invalid signature');
      res.status(403).json({
        error: { code: 'invalid_signature', message: 'The X-Twilio-Signature header is missing or does not match.', field: null },
      });
      return;
    }
    next();
  };
}

function twiml(res: Response, reply: string | null) {
  const response = new twilio.twiml.MessagingResponse();
  if (reply) response.message(reply);
  res.type('text/xml').send(response.toString());
}

type Handler = (req: Request, res: Response) => Promise<void>;
const route = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => handler(req, res).catch(next);

export function twilioWebhooks(services: Services): Router {
  const router = Router();
  router.use(
    '/webhooks/twilio',
    neverCache,
    express.urlencoded({ extended: false, limit: WEBHOOK_LIMIT_BYTES, parameterLimit: 200 }),
    requireTwilioSignature(services.config, services.log),
  );

  router.post(
    '/webhooks/twilio/status',
    route(async (req, res) => {
      const callback = parseInput(StatusWebhookSchema, req.body);
      await services.smsStatus.apply({
        messageSid: callback.MessageSid,
        messageStatus: callback.MessageStatus,
        errorCode: callback.ErrorCode || null,
      });
      twiml(res, null);
    }),
  );

  router.post(
    '/webhooks/twilio/inbound',
    route(async (req, res) => {
      const text = parseInput(InboundWebhookSchema, req.body);
      const answer = await services.smsInbound.receive({ messageSid: text.MessageSid, from: text.From, to: text.To, body: text.Body });
      twiml(res, answer.reply);
    }),
  );

  router.use('/webhooks/twilio', apiErrorHandler(services.log));
  return router;
}
