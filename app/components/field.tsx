import { cloneElement, type ReactElement } from 'react';
import { constraintProps, type FormState } from '../forms.ts';
import { isMessageKey, useT, type MessageKey } from '../i18n/i18n.ts';

interface ControlProps {
  id?: string;
  name?: string;
  required?: boolean;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

/**
 * A failure's own message (`<form>.error.<code>`, such as a wrong PIN with the attempts left), when
 * the form has one; otherwise the fields' messages say what to fix.
 */
function codeMessage(form: FormState): MessageKey | undefined {
  const key = form.failure && `${form.contract.id}.error.${form.failure.code}`;
  return key && isMessageKey(key) ? key : undefined;
}

/**
 * A labelled form control with its hint or error, wired for screen readers. The control gets its
 * name, id and HTML constraints (required, lengths, pattern) from the form's contract, which the
 * server derives from the schema its action parses with; its error message is `<form>.error.<name>`.
 */
export function Field<Name extends string>({
  form,
  name,
  label,
  hint,
  children,
}: {
  form: FormState<Name>;
  name: Name;
  label: string;
  hint?: string;
  children: ReactElement<ControlProps>;
}) {
  const t = useT();
  const id = `${form.contract.id}-${name}`;
  const invalid = form.failure?.fields.includes(name) ?? false;
  const errorKey = `${form.contract.id}.error.${name}`;
  const error = invalid && !codeMessage(form) && isMessageKey(errorKey) ? t(errorKey) : undefined;
  const messageId = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, {
        id,
        name,
        // The schema's constraints, unless the page sets one itself (a box shown only when needed).
        ...constraintProps(form.contract.fields[name]),
        ...children.props,
        'aria-invalid': invalid || undefined,
        'aria-describedby': messageId,
      })}
      {error ? (
        <p id={messageId} className="field-error">
          {error}
        </p>
      ) : (
        hint && (
          <p id={messageId} className="hint">
            {hint}
          </p>
        )
      )}
    </div>
  );
}

/** What went wrong with the form as a whole, announced to screen readers; nothing when it did not fail. */
export function FormAlert({ form }: { form: FormState }) {
  const t = useT();
  const { failure } = form;
  if (!failure) return null;
  const generic = `form.error.${failure.code}`;
  const key = codeMessage(form) ?? (failure.fields.length > 0 ? 'form.fix' : isMessageKey(generic) ? generic : 'error.generic');
  return (
    <p className="alert alert-error" role="alert">
      {t(key, failure.params)}
    </p>
  );
}
