import type { VoterFieldName } from './imports.voter-columns.ts';

/**
 * Voter files as other tools export them, read into Relance's columns (imports.voter-columns.ts).
 * Headers are compared normalised (imports.csv.ts: lower case, spaces and dashes as underscores).
 *
 * - NationBuilder's people export uses the field names of its import documentation ("Fields
 *   available for import"): nationbuilder_id, first_name, last_name, email, phone_number,
 *   mobile_number, mobile_opt_in, do_not_call, do_not_contact, federal_donotcall, support_level
 *   (1 very supportive … 5 very opposed), tag_list (comma-separated), primary_address1…,
 *   precinct_name. Flags are true/false or Y/N.
 * - NGP VAN's exports name columns in CamelCase: VANID (Voter File VANID in My Voters), LastName,
 *   FirstName, Address, City, Zip5, Phone (the preferred phone), CellPhone, Email, and the Support
 *   ID survey question's 1 (strong support) … 5 (strong oppose). VAN has no SMS consent column: a
 *   cell phone exported by a campaign is its to text, so a cell number gives SMS consent only when
 *   the campaign says so with --map (e.g. `--map smsoptin=sms_consent`).
 * - Relance's own columns (docs/imports.md), the generic format any spreadsheet can be saved in.
 */

export type PresetName = 'relance' | 'nationbuilder' | 'ngpvan';
export const PRESET_NAMES: PresetName[] = ['relance', 'nationbuilder', 'ngpvan'];

/** Raw fields of one row (normalised header → cell) → Relance's fields. */
type Conventions = (raw: Record<string, string>, mapped: Record<string, string>) => void;

export interface VoterPreset {
  name: PresetName;
  label: string;
  /** Any of these columns says that a file comes from this tool. */
  signature: string[];
  /** The file's column for each of Relance's fields; the first one present in the header wins. */
  columns: Partial<Record<VoterFieldName, string[]>>;
  /** Value conventions that are more than a renaming (two columns into one, an inverted flag). */
  conventions?: Conventions;
}

const isYes = (value: string | undefined) => /^(1|true|yes|y|oui|o|x|vrai)$/i.test((value ?? '').trim());
const filled = (value: string | undefined) => (value ?? '').trim() !== '';

export const PRESETS: Record<PresetName, VoterPreset> = {
  relance: {
    name: 'relance',
    label: 'Relance',
    signature: ['external_id'],
    columns: {},
  },
  nationbuilder: {
    name: 'nationbuilder',
    label: 'NationBuilder',
    signature: ['nationbuilder_id'],
    columns: {
      external_id: ['nationbuilder_id'],
      first_name: ['first_name'],
      last_name: ['last_name'],
      email: ['email', 'email1'],
      address: ['primary_address1', 'registered_address1', 'address_address1'],
      station_code: ['precinct_name', 'precinct_code'],
      support_level: ['support_level'],
      do_not_contact: ['do_not_contact'],
      tags: ['tag_list'],
      latitude: ['primary_lat', 'registered_lat'],
      longitude: ['primary_lng', 'registered_lng'],
    },
    conventions(raw, mapped) {
      // The mobile number first: it is the one that can be texted, and mobile_opt_in is about it.
      const mobile = raw.mobile_number;
      mapped.phone = filled(mobile) ? mobile! : (raw.phone_number ?? '');
      mapped.sms_consent = filled(mobile) && isYes(raw.mobile_opt_in) && !isYes(raw.is_mobile_bad) ? 'yes' : 'no';
      // NationBuilder has no call opt-in: a phone may be called unless do_not_call (or the US
      // federal do-not-call list) says otherwise.
      const refusesCalls = isYes(raw.do_not_call) || isYes(raw.federal_donotcall);
      mapped.call_consent = filled(mapped.phone) && !refusesCalls ? 'yes' : 'no';
    },
  },
  ngpvan: {
    name: 'ngpvan',
    label: 'NGP VAN',
    signature: ['vanid', 'voter_file_vanid', 'myc_van_id', 'mycampaign_vanid'],
    columns: {
      external_id: ['vanid', 'voter_file_vanid', 'myc_van_id', 'mycampaign_vanid'],
      first_name: ['firstname', 'first_name'],
      last_name: ['lastname', 'last_name'],
      email: ['email', 'preferredemail', 'preferred_email'],
      address: ['address', 'mailingaddress', 'mailing_address'],
      station_code: ['precinctname', 'precinct_name', 'precinct'],
      support_level: ['support_id', 'supportid', 'support'],
      tags: ['activist_codes', 'activistcodes'],
      sms_consent: ['smsoptin', 'sms_opt_in'],
    },
    conventions(raw, mapped) {
      const cell = raw.cellphone ?? raw.cell_phone;
      mapped.phone = filled(cell) ? cell! : (raw.phone ?? raw.homephone ?? raw.home_phone ?? '');
      // VAN's "do not call" is a flag on the phone; anyone exported with a phone may be called.
      const refusesCalls = isYes(raw.donotcall) || isYes(raw.do_not_call);
      mapped.call_consent = filled(mapped.phone) && !refusesCalls ? 'yes' : 'no';
      mapped.do_not_contact = isYes(raw.donotcontact) || isYes(raw.do_not_contact) || isYes(raw.deceased) ? 'yes' : 'no';
    },
  },
};

/** The preset whose signature column the header has; Relance's own columns otherwise. */
export function detectPreset(header: readonly string[]): PresetName {
  for (const name of ['nationbuilder', 'ngpvan'] as const) {
    if (PRESETS[name].signature.some((column) => header.includes(column))) return name;
  }
  return 'relance';
}

/** Which of the file's columns fills which of Relance's fields, for a header and a preset. */
export interface ColumnMapping {
  preset: PresetName;
  /** Relance field → the file column it is read from (only those that are read from one column). */
  fields: Partial<Record<VoterFieldName, string>>;
  /** Fields that the preset's conventions fill from several columns. */
  derived: VoterFieldName[];
  /** Columns of the file that nothing reads. */
  ignored: string[];
  /** A function that turns a raw row into Relance's fields. */
  apply(raw: Record<string, string>): Record<string, string>;
  /** The file's column a field of this row was read from, for error messages and the report. */
  sourceOf(field: VoterFieldName, raw: Record<string, string>): string;
}

const CONVENTION_READS: Record<PresetName, string[]> = {
  relance: [],
  nationbuilder: ['mobile_number', 'phone_number', 'mobile_opt_in', 'is_mobile_bad', 'do_not_call', 'federal_donotcall'],
  ngpvan: [
    'cellphone',
    'cell_phone',
    'phone',
    'homephone',
    'home_phone',
    'donotcall',
    'do_not_call',
    'donotcontact',
    'do_not_contact',
    'deceased',
  ],
};
const CONVENTION_FILLS: Record<PresetName, VoterFieldName[]> = {
  relance: [],
  nationbuilder: ['phone', 'sms_consent', 'call_consent'],
  ngpvan: ['phone', 'call_consent', 'do_not_contact'],
};
/** The columns a field filled by conventions comes from, in the order they are tried. */
const CONVENTION_SOURCES: Record<PresetName, Partial<Record<VoterFieldName, string[]>>> = {
  relance: {},
  nationbuilder: {
    phone: ['mobile_number', 'phone_number'],
    sms_consent: ['mobile_opt_in'],
    call_consent: ['do_not_call', 'federal_donotcall'],
  },
  ngpvan: {
    phone: ['cellphone', 'cell_phone', 'phone', 'homephone', 'home_phone'],
    call_consent: ['donotcall', 'do_not_call'],
    do_not_contact: ['donotcontact', 'do_not_contact'],
  },
};

/**
 * The mapping for a file: the preset's columns, then Relance's own names for fields the preset
 * leaves out, then the user's `overrides` (file column → field, from `--map` or the page), which
 * win over everything.
 */
export function mapColumns(
  header: readonly string[],
  presetName: PresetName,
  allFields: readonly VoterFieldName[],
  overrides: Partial<Record<string, VoterFieldName>> = {},
): ColumnMapping {
  const preset = PRESETS[presetName];
  const fields: Partial<Record<VoterFieldName, string>> = {};
  const derived = CONVENTION_FILLS[presetName];
  for (const name of allFields) {
    const candidates = preset.columns[name] ?? (derived.includes(name) ? [] : [name]);
    const found = candidates.find((column) => header.includes(column));
    if (found) fields[name] = found;
  }
  const overridden = new Set<VoterFieldName>();
  for (const [column, name] of Object.entries(overrides)) {
    if (name) {
      fields[name] = column;
      overridden.add(name);
    }
  }
  const read = new Set([...Object.values(fields), ...CONVENTION_READS[presetName]]);
  const entries = Object.entries(fields) as [VoterFieldName, string][];
  return {
    preset: presetName,
    fields,
    derived: derived.filter((name) => !overridden.has(name)),
    ignored: header.filter((column) => !read.has(column)),
    sourceOf(field, raw) {
      if (fields[field] && !derived.includes(field)) return fields[field];
      const sources = (CONVENTION_SOURCES[presetName][field] ?? []).filter((column) => header.includes(column));
      return sources.find((column) => filled(raw[column])) ?? sources[0] ?? field;
    },
    apply(raw) {
      const mapped: Record<string, string> = {};
      preset.conventions?.(raw, mapped);
      for (const [name, column] of entries) {
        if (!derived.includes(name) || overridden.has(name)) mapped[name] = raw[column] ?? '';
      }
      return mapped;
    },
  };
}
