import { useRouteLoaderData } from 'react-router';
import type { Locale } from '../../server/fields.ts';
import { en, type MessageKey } from './en.ts';
import { fr } from './fr.ts';

export type { Locale, MessageKey };

const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, fr };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** Whether a key built at run time (a form's field or failure code) has a message. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

export function translator(locale: Locale): Translate {
  const messages = MESSAGES[locale];
  return (key, values) => messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values?.[name] ?? `{${name}}`));
}

/** The page's language, from the root loader (falls back to French before it has run). */
export function useLocale(): Locale {
  const root = useRouteLoaderData('root') as { locale?: Locale } | undefined;
  return root?.locale ?? 'fr';
}

export function useT(): Translate {
  return translator(useLocale());
}
