import type { FieldConstraints, FormContract, FormFailure } from '../server/http/forms.ts';

/** A page's form: its contract (from the loader) and how it failed when last posted (from the action). */
export interface FormState<Field extends string = string> {
  contract: FormContract<Field>;
  failure: FormFailure | null;
}

/** Any action answer that is a form failure (every action answers `{ ok: false, … }` on failure). */
export function formState<Field extends string>(contract: FormContract<Field>, actionData: unknown): FormState<Field> {
  const failure = (actionData as { ok?: unknown } | undefined)?.ok === false ? (actionData as FormFailure) : null;
  return { contract, failure };
}

/** The HTML attributes a field's constraints give its control. */
export function constraintProps(constraints: FieldConstraints | undefined) {
  if (!constraints) return {};
  const { required, minLength, maxLength, pattern, min, max } = constraints;
  return { required, minLength, maxLength, pattern, min, max };
}
