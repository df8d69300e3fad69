import { LocaleSchema, type Locale } from '../fields.ts';

export const DEFAULT_LOCALE: Locale = 'fr';

/** The best supported language in an Accept-Language header (RFC 9110 §12.5.4). */
export function negotiateLocale(acceptLanguage: string | undefined): Locale | undefined {
  if (!acceptLanguage) return undefined;
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { language: tag.toLowerCase().split('-')[0]!, quality: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality);
  for (const { language } of ranked) {
    const locale = LocaleSchema.safeParse(language);
    if (locale.success) return locale.data;
  }
  return undefined;
}

/** Chosen by the person (cookie), else their profile, else their browser, else French. */
export function resolveLocale(cookie: string | undefined, profile: string | null | undefined, acceptLanguage: string | undefined): Locale {
  for (const candidate of [cookie, profile]) {
    if (!candidate) continue;
    const locale = LocaleSchema.safeParse(candidate);
    if (locale.success) return locale.data;
  }
  return negotiateLocale(acceptLanguage) ?? DEFAULT_LOCALE;
}
