/**
 * Progress of a long import on standard error (standard output keeps the result, and the --json
 * summary as its last line): a bar that redraws itself on a terminal, a plain line every few
 * seconds otherwise (a log file, CI).
 */
export interface ProgressReporter {
  update(progress: { rows: number; bytes: number }): void;
  done(): void;
}

const PLAIN_EVERY_MS = 5_000;
const WIDTH = 30;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function progressReporter(
  totalBytes: number,
  stream: NodeJS.WriteStream = process.stderr,
  now = () => Date.now(),
): ProgressReporter {
  const started = now();
  let lastPlain = started;
  let drawn = false;
  return {
    update({ rows, bytes }) {
      const elapsed = (now() - started) / 1000;
      const share = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
      const rate = elapsed > 0 ? rows / elapsed : 0;
      const left = share > 0 ? (elapsed / share) * (1 - share) : Infinity;
      const figures = `${Math.round(share * 100)}% ${rows.toLocaleString('en')} rows, ${Math.round(rate).toLocaleString('en')} rows/s, ${duration(left)} left`;
      if (stream.isTTY) {
        const filled = Math.round(share * WIDTH);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${figures}   `);
        drawn = true;
      } else if (now() - lastPlain >= PLAIN_EVERY_MS) {
        lastPlain = now();
        stream.write(`${figures}\n`);
      }
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
