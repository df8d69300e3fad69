/**
 * The keywords a person may text back (docs/sms-inbound.md). Pure. A keyword is the whole text,
 * read without accents, in any case, spaces around it ignored: "Arrêt", " stop " and "ARRET" all
 * opt out; "stop texting me" is a reply for the inbox, not a keyword. The list holds Twilio's
 * standard opt-out and opt-in keywords and the French ARRET that the FFTélécoms code of conduct
 * gives alongside STOP.
 */

export const KEYWORDS = {
  opt_out: ['STOP', 'ARRET', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'CANCEL'],
  opt_in: ['START', 'UNSTOP'],
  help: ['HELP'],
} as const;

export type KeywordKind = keyof typeof KEYWORDS;

/** The text folded for comparison: no accents, upper case, no surrounding spaces or final punctuation. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .trim()
    .replace(/[.!]+$/, '')
    .trim()
    .toUpperCase();
}

/** What the text asks for when it is one of the keywords, else null. */
export function readKeyword(text: string): KeywordKind | null {
  const folded = foldText(text);
  for (const kind of Object.keys(KEYWORDS) as KeywordKind[]) {
    if ((KEYWORDS[kind] as readonly string[]).includes(folded)) return kind;
  }
  return null;
}
