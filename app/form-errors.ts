/** Field names of a failed zod parse (as returned by schema.safeParse), for highlighting fields. */
export function invalidFields(error: { issues: readonly { path: readonly PropertyKey[] }[] }): string[] {
  return [...new Set(error.issues.map((issue) => String(issue.path[0] ?? '')))].filter(Boolean);
}

/** The stable `code` of an expected failure thrown by a service (see server/errors.ts), if it is one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' ? code : undefined;
}

export function formValues(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
