import fs from 'node:fs';
import { InvalidInput } from '../errors.ts';
import { csvField } from './imports.csv.ts';

export interface ImportProblem {
  /** 1-based line of the file (CSV) or feature number (GeoJSON); 0 for the file as a whole. */
  line: number;
  field?: string;
  /** The value as the file gives it, for the error report. */
  value?: string;
  message: string;
}

/** What an import did, as `relance import --json` prints it and the import page shows it. */
export interface ImportSummary {
  read: number;
  imported: number;
  rejected: number;
  /** The CSV file listing the rejected rows, when any was rejected. */
  errorReport: string | null;
}

// Enough to fix a systematic mistake; a file with thousands of bad rows need not print them all
// (the error report lists them all).
export const MAX_REPORTED_PROBLEMS = 20;

/** An import that was refused as a whole: nothing was written. */
export class ImportRejected extends InvalidInput {
  override name = 'ImportRejected';
  readonly problems: ImportProblem[];
  readonly problemCount: number;
  /** Set when the file was read to the end: how many rows, and where the error report is. */
  summary?: ImportSummary;

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

/**
 * Collects problems while a file is read: keeps the first few for the message, counts the rows
 * they are on, and writes every one to the error report (line, column, value, reason) when the
 * import was given a path for it. The report is only created once there is a problem.
 */
export class ProblemList {
  readonly kept: ImportProblem[] = [];
  count = 0;
  readonly rejectedLines = new Set<number>();
  private report: number | undefined;
  private pending = '';
  private written = false;

  constructor(private readonly reportPath?: string) {}

  // Written synchronously, in batches: problems are rare, and the caller's loop stays simple.
  add(problem: ImportProblem) {
    this.count++;
    this.rejectedLines.add(problem.line);
    if (this.kept.length < MAX_REPORTED_PROBLEMS) this.kept.push(problem);
    if (!this.reportPath) return;
    if (this.report === undefined) {
      this.report = fs.openSync(this.reportPath, 'w', 0o600);
      this.written = true;
      this.pending = 'line,column,value,reason\n';
    }
    this.pending += [problem.line || '', problem.field ?? '', problem.value ?? '', problem.message].map(csvField).join(',') + '\n';
    if (this.pending.length > 64 * 1024) this.flush();
  }

  private flush() {
    if (this.report === undefined || this.pending === '') return;
    fs.writeSync(this.report, this.pending);
    this.pending = '';
  }

  /** Closes the report; its path, or null when nothing was rejected. */
  close(): string | null {
    if (this.report !== undefined) {
      this.flush();
      fs.closeSync(this.report);
      this.report = undefined;
    }
    return this.written ? this.reportPath! : null;
  }

  get rejected() {
    return this.rejectedLines.size;
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
