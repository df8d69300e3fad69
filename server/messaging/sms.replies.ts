/**
 * What Relance texts back to an incoming text, in French or English. Pure. Short: each fits in
 * one or two SMS segments, and says what to do next.
 */

export type ReplyLocale = 'fr' | 'en';

/** Why a watcher's text was not stored as a report. */
export type WatcherReportRefusal = 'unreadable' | 'unknown_station' | 'station_out_of_scope' | 'count_refused' | 'unregistered_phone';

const REPLIES = {
  fr: {
    optedOut: (sender: string) => `${sender} : vous ne recevrez plus de SMS. START pour les recevoir à nouveau.`,
    optedIn: (sender: string) => `${sender} : vous recevrez à nouveau nos SMS. STOP pour ne plus en recevoir.`,
    help: (sender: string) => `Ces SMS sont envoyés par ${sender}. Répondez STOP pour ne plus en recevoir.`,
    reportStored: (code: string, voters: number, time: string) => `Bureau ${code} : ${voters} votants enregistrés à ${time}`,
    refusals: {
      unreadable: 'Message non compris. Envoyez le code du bureau puis le nombre de votants, par exemple : 0101 412',
      unknown_station: (code: string) => `Bureau ${code} inconnu. Vérifiez le code sur votre affectation et renvoyez : <bureau> <votants>`,
      station_out_of_scope: (code: string) => `Le bureau ${code} ne fait pas partie de vos bureaux. Rien n'a été enregistré.`,
      count_refused: (code: string) =>
        `Nombre refusé pour le bureau ${code}. Vérifiez le nombre de votants et renvoyez-le, ou appelez votre coordinateur.`,
      unregistered_phone: "Ce numéro n'est celui d'aucun observateur. Demandez à votre coordinateur d'enregistrer votre numéro.",
    },
  },
  en: {
    optedOut: (sender: string) => `${sender}: you will receive no more texts. Reply START to receive them again.`,
    optedIn: (sender: string) => `${sender}: you will receive our texts again. Reply STOP to opt out.`,
    help: (sender: string) => `These texts are sent by ${sender}. Reply STOP to opt out.`,
    reportStored: (code: string, voters: number, time: string) => `Station ${code}: ${voters} voters recorded at ${time}`,
    refusals: {
      unreadable: 'Message not understood. Send the station code, then the number of voters, e.g.: 0101 412',
      unknown_station: (code: string) => `Unknown station ${code}. Check the code on your assignment and send again: <station> <voters>`,
      station_out_of_scope: (code: string) => `Station ${code} is not one of your stations. Nothing was recorded.`,
      count_refused: (code: string) =>
        `Count refused for station ${code}. Check the number of voters and send it again, or call your coordinator.`,
      unregistered_phone: 'This number is not a watcher’s. Ask your coordinator to register your phone number.',
    },
  },
} as const;

export function replyLocale(locale: string | null | undefined): ReplyLocale {
  return locale === 'en' ? 'en' : 'fr';
}

export function optedOutReply(sender: string, locale: ReplyLocale = 'fr'): string {
  return REPLIES[locale].optedOut(sender);
}

export function optedInReply(sender: string, locale: ReplyLocale = 'fr'): string {
  return REPLIES[locale].optedIn(sender);
}

export function helpReply(sender: string, locale: ReplyLocale = 'fr'): string {
  return REPLIES[locale].help(sender);
}

export function reportStoredReply(stationCode: string, voters: number, time: string, locale: ReplyLocale): string {
  return REPLIES[locale].reportStored(stationCode, voters, time);
}

export function reportRefusedReply(refusal: WatcherReportRefusal, stationCode: string | null, locale: ReplyLocale): string {
  const text = REPLIES[locale].refusals[refusal];
  return typeof text === 'function' ? text(stationCode ?? '') : text;
}
