import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that cannot be run as typed: its message says what to fix, then the usage follows. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options and positional arguments, strictly: an unknown or malformed option is a UsageError. */
export function parseOptions<T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>({
      args,
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
