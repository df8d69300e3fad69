import { z } from 'zod';
import { CreateUserSchema } from '../auth/auth.accounts.ts';
import { EmailSchema, LocaleSchema, PinSchema } from '../fields.ts';

/**
 * The schemas page actions parse their forms with. They reach routes through the load context,
 * so zod stays out of the browser bundle; forms validate in the browser with HTML attributes.
 */

/** A path inside the app to return to after signing in; anything else (another site) is dropped. */
const NextPathSchema = z
  .string()
  .optional()
  .transform((path) => (path && /^\/(?![/\\])/.test(path) ? path : undefined));

export const LoginFormSchema = z.object({
  email: EmailSchema,
  password: z.string().min(1, 'is required').max(200),
  next: NextPathSchema,
});

export const PinFormSchema = z.object({ pin: PinSchema });

export const LanguageFormSchema = z.object({ locale: LocaleSchema, next: NextPathSchema });

/** Station codes typed in one box, separated by spaces or commas. */
const StationListSchema = z
  .string()
  .optional()
  .transform((list) => (list ?? '').split(/[\s,;]+/).filter(Boolean));

/** The admin's "add a person" form: empty boxes are absent values, stations one box. */
export const CreateUserFormSchema = z.preprocess((form) => {
  const values = form as Record<string, string | undefined>;
  return {
    name: values.name ?? '',
    role: values.role ?? '',
    email: values.email?.trim() ? values.email : undefined,
    password: values.password ? values.password : undefined,
    stationCodes: StationListSchema.parse(values.stationCodes),
  };
}, CreateUserSchema);

export const UserIdFormSchema = z.object({ userId: z.coerce.number().int().positive() });

export const formSchemas = {
  LoginFormSchema,
  PinFormSchema,
  LanguageFormSchema,
  CreateUserFormSchema,
  UserIdFormSchema,
};

export type FormSchemas = typeof formSchemas;
