/** Reads a secret from the terminal without echoing it. */
export function readSecret(question: string): Promise<string> {
  const { stdin, stdout } = process;
  if (!stdin.isTTY) {
    return Promise.reject(new Error('No terminal to ask for the password: pipe it in with --password-stdin.'));
  }
  stdout.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let secret = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stdout.write('\n');
    };
    function onData(chunk: string) {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(secret);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new Error('Cancelled.'));
          return;
        }
        if (char === '\u007f' || char === '\b') secret = secret.slice(0, -1);
        else secret += char;
      }
    }
    stdin.on('data', onData);
  });
}

/** Reads one line typed on the terminal (or piped in), shown as it is typed. */
export async function readLine(question: string): Promise<string> {
  const readline = await import('node:readline/promises');
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: Boolean(process.stdin.isTTY) });
  try {
    process.stdout.write(question);
    for await (const line of prompt) return line;
    return '';
  } finally {
    prompt.close();
  }
}
