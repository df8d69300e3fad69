import { InvalidInput } from '../errors.ts';

export interface ImportProblem {
  /** 1-based line of the file (CSV) or feature number (GeoJSON); 0 for the file as a whole. */
  line: number;
  field?: string;
  message: string;
}

// Enough to fix a systematic mistake; a file with thousands of bad rows need not print them all.
export const MAX_REPORTED_PROBLEMS = 20;

/** An import that was refused as a whole: nothing was written. */
export class ImportRejected extends InvalidInput {
  override name = 'ImportRejected';
  readonly problems: ImportProblem[];
  readonly problemCount: number;

  constructor(what: string, problems: ImportProblem[], problemCount = problems.length) {
    const listed = problems
      .slice(0, MAX_REPORTED_PROBLEMS)
      .map((p) => `  ${p.line > 0 ? `line ${p.line}` : 'file'}${p.field ? `, ${p.field}` : ''}: ${p.message}`)
      .join('\n');
    const more = problemCount > MAX_REPORTED_PROBLEMS ? `\n  … and ${problemCount - MAX_REPORTED_PROBLEMS} more` : '';
    super(
      `The ${what} file was not imported (nothing was changed): ${problemCount} problem${problemCount > 1 ? 's' : ''}.\n${listed}${more}`,
    );
    this.problems = problems.slice(0, MAX_REPORTED_PROBLEMS);
    this.problemCount = problemCount;
  }
}

/** Collects problems while a file is read, keeping the first few and counting the rest. */
export class ProblemList {
  readonly kept: ImportProblem[] = [];
  count = 0;

  add(problem: ImportProblem) {
    this.count++;
    if (this.kept.length < MAX_REPORTED_PROBLEMS) this.kept.push(problem);
  }

  throwIfAny(what: string) {
    if (this.count > 0) throw new ImportRejected(what, this.kept, this.count);
  }
}

/** Refuses a file whose header lacks a required column, naming them all. */
export function requireColumns(what: string, header: readonly string[], required: readonly string[]) {
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new ImportRejected(what, [{ line: 1, message: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` }]);
  }
}
