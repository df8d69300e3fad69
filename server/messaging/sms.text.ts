/**
 * The words of a text: a template's placeholders filled in with the person's details, then the
 * sender's name and how to stop, which the CNIL requires in every political text. Pure.
 */

/** What a template may say about the person it goes to, as {firstName} and so on. */
export const TEMPLATE_FIELDS = ['firstName', 'stationName', 'stationAddress', 'closingTime'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type TextFacts = Record<TemplateField, string>;

const PLACEHOLDER = /\{(\w+)\}/g;

/** Placeholders in `body` that are not template fields ({fistName}); empty when the template is sound. */
export function unknownPlaceholders(body: string): string[] {
  const known = new Set<string>(TEMPLATE_FIELDS);
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((match) => match[1]!))].filter((name) => !known.has(name));
}

/** The template with each {field} replaced; an unknown placeholder is left as written. */
export function fillTemplate(body: string, facts: TextFacts): string {
  return body.replace(PLACEHOLDER, (placeholder, name: string) =>
    (TEMPLATE_FIELDS as readonly string[]).includes(name) ? facts[name as TemplateField] : placeholder,
  );
}

const STOP_LINE = {
  fr: (sender: string) => `${sender}. STOP pour ne plus recevoir de SMS`,
  en: (sender: string) => `${sender}. Reply STOP to opt out`,
} as const;

/** The line every text ends with: who sends it, and how to stop. */
export function stopLine(senderName: string, locale: keyof typeof STOP_LINE = 'fr'): string {
  return STOP_LINE[locale](senderName.trim());
}

/** The text as it is sent: the filled template, then the sender and how to stop. */
export function composeText(body: string, facts: TextFacts, senderName: string, locale: keyof typeof STOP_LINE = 'fr'): string {
  return `${fillTemplate(body, facts).trim()}\n${stopLine(senderName, locale)}`;
}
