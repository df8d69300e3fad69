/**
 * The keywords a person may text back (docs/sms-inbound.md). Pure. A keyword is the whole text,
 * read without accents, in any case, spaces around it ignored: "Arrêt", " stop " and "ARRET" all
 * opt out; "stop texting me" is a reply for the inbox, not a keyword. The list holds Twilio's
 * standard keywords, with the French ARRET and ARRETE that Twilio also blocks on (its opt-out
 * keyword handling, https://www.twilio.com/docs/proxy/opt-out-keywords): a person Twilio stops
 * texting must be opted out here too. Twilio's opt-in YES is left out on purpose: "yes" is a
 * common answer to "will you vote?", and staying opted out is the safe side.
 */

export const KEYWORDS = {
  opt_out: ['STOP', 'ARRET', 'ARRETE', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'CANCEL'],
  opt_in: ['START', 'UNSTOP'],
  help: ['HELP', 'INFO'],
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
