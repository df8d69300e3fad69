/**
 * Expected failures, each with a stable `code`. `statusOf` below gives each its HTTP status, for the
 * API (`{ error: { code, message, field } }`, server/api/api.errors.ts), the pages' forms
 * (server/http/forms.ts) and their error pages alike.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly field: string | undefined;
  /** Values a translated message about this failure shows (attempts left, minutes to wait). */
  readonly params: Record<string, number> = {};

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

export class InvalidInput extends DomainError {
  override name = 'InvalidInput';
  readonly code = 'invalid_input';
  /** Every field to fix (a form can have several); `field` is the first. */
  readonly fields: string[];

  constructor(message: string, field?: string | string[]) {
    const fields = field === undefined ? [] : [field].flat();
    super(message, fields[0]);
    this.fields = fields;
  }
}

export class Unauthenticated extends DomainError {
  override name = 'Unauthenticated';
  readonly code = 'unauthenticated';

  constructor(message = 'Sign in first, or send a valid API token in the Authorization header.') {
    super(message);
  }
}

export class Forbidden extends DomainError {
  override name = 'Forbidden';
  readonly code: string = 'forbidden';
}

/** A form posted without this browser's form token: the page was open too long, or another site posted it. */
export class FormExpired extends Forbidden {
  override name = 'FormExpired';
  override readonly code = 'form_expired';

  constructor() {
    super('This form has expired. Reload the page and try again.');
  }
}

export class StationOutOfScope extends Forbidden {
  override name = 'StationOutOfScope';
  override readonly code = 'station_out_of_scope';
}

export class NotFound extends DomainError {
  override name = 'NotFound';
  readonly code = 'not_found';
}

export class Conflict extends DomainError {
  override name = 'Conflict';
  readonly code: string = 'conflict';
}

/** A purge of an election's personal data before its polls have closed. */
export class ElectionNotOver extends Conflict {
  override name = 'ElectionNotOver';
  override readonly code = 'election_not_over';
}

/** A purge of an election whose personal data was already deleted. */
export class AlreadyPurged extends Conflict {
  override name = 'AlreadyPurged';
  override readonly code = 'already_purged';
}

export class TooManyAttempts extends DomainError {
  override name = 'TooManyAttempts';
  readonly code = 'too_many_attempts';
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
    this.params.minutes = Math.ceil(retryAfterSeconds / 60);
  }
}

export class InvalidCredentials extends DomainError {
  override name = 'InvalidCredentials';
  readonly code: string = 'invalid_credentials';
}

export class WrongPin extends InvalidCredentials {
  override name = 'WrongPin';
  override readonly code = 'wrong_pin';
  readonly attemptsLeft: number;

  constructor(attemptsLeft: number) {
    super(
      attemptsLeft > 0
        ? `Wrong PIN. ${attemptsLeft} attempt${attemptsLeft > 1 ? 's' : ''} left.`
        : 'Wrong PIN too many times: this link is now blocked. Ask your coordinator for a new one.',
      'pin',
    );
    this.attemptsLeft = attemptsLeft;
    this.params.left = attemptsLeft;
  }
}

/** A text that a guard forbids now (docs/sms.md): the person voted, opted out, the polls closed… */
export class TextNotAllowed extends Conflict {
  override name = 'TextNotAllowed';
  override readonly code = 'text_not_allowed';
  readonly reason: string;

  constructor(message: string, reason: string) {
    super(message);
    this.reason = reason;
  }
}

/** A decision on an outbox row that is not waiting for one. */
export class NotForReview extends Conflict {
  override name = 'NotForReview';
  override readonly code = 'not_for_review';
}

/** An upload larger than its route allows (the import page's file, say). */
export class TooLarge extends DomainError {
  override name = 'TooLarge';
  readonly code = 'too_large';
}

/** The HTTP status of each kind of expected failure: the first kind the error is an instance of. */
const STATUSES: [abstract new (...args: never[]) => DomainError, number][] = [
  [InvalidInput, 422],
  [Unauthenticated, 401],
  [InvalidCredentials, 401],
  [Forbidden, 403],
  [NotFound, 404],
  [Conflict, 409],
  [TooManyAttempts, 429],
  [TooLarge, 413],
];

export function statusOf(error: DomainError): number {
  return STATUSES.find(([kind]) => error instanceof kind)?.[1] ?? 400;
}
