/**
 * Expected failures, each with a stable `code`. The API maps them to HTTP statuses and
 * `{ error: { code, message, field } }` (server/api/api.errors.ts); pages map them to error pages.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

export class InvalidInput extends DomainError {
  override name = 'InvalidInput';
  readonly code = 'invalid_input';
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

export class TooManyAttempts extends DomainError {
  override name = 'TooManyAttempts';
  readonly code = 'too_many_attempts';
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
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
  }
}
