import type Database from 'better-sqlite3';
import { formatRun } from '../lib/run';
import { Random, WeightedTable } from './random';
import {
  loadCensus,
  loadCommunes,
  loadProgrammeCounts,
  regionsOf,
  TARGET_GROUPS,
  type CensusCell,
  type CommuneRef,
  type MinistryProgrammes,
  type TargetGroup,
} from './reference';
import {
  ANDEAN_SURNAMES,
  asciiLower,
  cohortOf,
  EMAIL_DOMAINS,
  FEMALE_NAMES,
  FEMALE_SECOND_NAMES,
  FOREIGN_NATIONALITIES,
  HAITIAN_FEMALE_NAMES,
  HAITIAN_MALE_NAMES,
  HAITIAN_SURNAMES,
  indigenousSurnamePool,
  INDIGENOUS_PEOPLES_BY_REGION,
  MALE_NAMES,
  MALE_SECOND_NAMES,
  PAYMENT_BANKS,
  PROGRAMME_CATALOGUE,
  STREETS,
  SURNAMES,
  type Cohort,
  type ProgrammeKind,
  type Weighted,
} from './names';

/**
 * The synthetic Social Information Register: fills every table of
 * store/sqlite/migrations/001_register.sql from one seed. Realism comes from the reference data
 * (census population by commune × age × sex, the communes, the programmes per ministry) and from
 * published RSH shares (CSE brackets, register prevalence). Everything in the data is a function
 * of the seed and the household count; only register_meta.generated_at reads the clock.
 *
 * Memory stays bounded at any size: households are generated, written and forgotten one at a
 * time; the only state that grows is a 12.5 MB bitmap of the RUN bodies handed out.
 */

/** The snapshot date of the register: ages, `as_of` of every sectoral record, last update. */
export const AS_OF = 20251130;
const AS_OF_YEAR = Math.floor(AS_OF / 10000);

/** The monthly payrolls generated: December 2024 to November 2025 (YYYYMM). */
export const PAYROLL_PERIODS: readonly number[] = [202412, 202501, 202502, 202503, 202504, 202505, 202506, 202507, 202508, 202509, 202510, 202511];

/** Every table the generator fills, in insertion order (parents before children). */
export const REGISTER_TABLES = [
  'region',
  'commune',
  'program',
  'program_target_group',
  'household',
  'person',
  'household_member',
  'disability_record',
  'indigenous_record',
  'health_insurance',
  'street_situation_record',
  'emergency_record',
  'civil_identity',
  'benefit_grant',
  'subsystem_membership',
  'payment',
  'register_meta',
] as const;
export type RegisterTable = (typeof REGISTER_TABLES)[number];

export interface GenerateOptions {
  households: number;
  seed: number;
  /** Called every few thousand households and once at the end with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateStats {
  seed: number;
  households: number;
  persons: number;
  rows: Record<RegisterTable, number>;
  seconds: number;
  personsPerSecond: number;
}

// ---------------------------------------------------------------------------------------------
// Calendar: a table of every day from 1900 to 2040 so that random dates are one array lookup.

const FIRST_YEAR = 1900;
const LAST_YEAR = 2040;
const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(FIRST_YEAR, 0, 1);
const DAYS: Int32Array = (() => {
  const count = Math.round((Date.UTC(LAST_YEAR + 1, 0, 1) - EPOCH) / DAY_MS);
  const days = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const d = new Date(EPOCH + i * DAY_MS);
    days[i] = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  }
  return days;
})();

/** The index in DAYS of a YYYYMMDD date (which must lie in 1900–2040). */
function dayIndex(date: number): number {
  const year = Math.floor(date / 10000);
  const month = Math.floor(date / 100) % 100;
  return Math.round((Date.UTC(year, month - 1, date % 100) - EPOCH) / DAY_MS);
}

/** A uniformly random day in [from, to] (YYYYMMDD, inclusive); `from` when to < from. */
function randomDate(rng: Random, from: number, to: number): number {
  const lo = dayIndex(from);
  const hi = dayIndex(to);
  return hi <= lo ? from : DAYS[rng.int(lo, hi)];
}

/** The YYYYMMDD date `months` months after `date` (day clamped to 28 for simplicity). */
function addMonths(date: number, months: number): number {
  const year = Math.floor(date / 10000);
  const month = Math.floor(date / 100) % 100;
  const total = year * 12 + (month - 1) + months;
  return Math.floor(total / 12) * 10000 + ((total % 12) + 1) * 100 + Math.min(date % 100, 28);
}

/** Whole months from the month of `date` (YYYYMMDD) to `period` (YYYYMM). */
function monthsBetween(date: number, period: number): number {
  const from = Math.floor(date / 10000) * 12 + (Math.floor(date / 100) % 100);
  return Math.floor(period / 100) * 12 + (period % 100) - from;
}

const OLDEST = 105;

/** For each age 0..105, the DAYS range of birth dates giving exactly that age on AS_OF. */
const BIRTH_RANGE: readonly [number, number][] = Array.from({ length: OLDEST + 1 }, (_, age) => {
  const last = dayIndex(AS_OF - age * 10000);
  const first = dayIndex(AS_OF - (age + 1) * 10000) + 1;
  return [first, last];
});

function birthDateForAge(rng: Random, age: number): number {
  const [first, last] = BIRTH_RANGE[age];
  return DAYS[rng.int(first, last)];
}

// ---------------------------------------------------------------------------------------------
// Programmes: the catalogue of names/ministries fitted to the CSV counts per target group.

export interface ProgrammeDef {
  code: string;
  name: string;
  ministry: string;
  targetGroups: TargetGroup[];
  amount: number | null;
  kind: ProgrammeKind;
  weight: number;
  /** Drawn only by people under 30. */
  youth: boolean;
}

export class CatalogueError extends Error {}

/**
 * The 114 programmes with codes ("MDSF-001") and target groups such that, per ministry, the number
 * of programmes and the number targeting each group equal programmes_by_ministry.csv exactly, and
 * every programme targets at least one group. Groups are handed out smallest count first, to the
 * programmes that name the group among their natural targets first, then to those with the fewest
 * groups; a final pass moves a group from a programme with several to any programme left without.
 * Deterministic: no randomness involved.
 */
export function buildProgrammeCatalogue(counts: readonly MinistryProgrammes[] = loadProgrammeCounts()): ProgrammeDef[] {
  const result: ProgrammeDef[] = [];
  for (const row of counts) {
    const entry = PROGRAMME_CATALOGUE.find((candidate) => candidate.ministry === row.ministry);
    if (!entry) {
      throw new CatalogueError(`expected a programme list for ministry ${JSON.stringify(row.ministry)} in data/names.ts, got none`);
    }
    const specs = entry.programmes;
    if (specs.length !== row.programmes) {
      throw new CatalogueError(`${row.ministry}: expected ${row.programmes} programmes (CSV), got ${specs.length} in data/names.ts`);
    }
    const groups = specs.map(() => new Set<TargetGroup>());
    const order = [...TARGET_GROUPS].sort((a, b) => row.groups[a] - row.groups[b] || TARGET_GROUPS.indexOf(a) - TARGET_GROUPS.indexOf(b));
    for (const group of order) {
      const wanted = row.groups[group];
      if (wanted === 0) continue;
      const ranked = specs
        .map((spec, i) => ({ i, prefers: spec.prefers.includes(group) ? 0 : 1 }))
        .sort((a, b) => a.prefers - b.prefers || groups[a.i].size - groups[b.i].size || a.i - b.i);
      for (const { i } of ranked.slice(0, wanted)) groups[i].add(group);
    }
    for (let i = 0; i < specs.length; i++) {
      if (groups[i].size > 0) continue;
      let moved = false;
      for (let j = 0; j < specs.length && !moved; j++) {
        if (groups[j].size < 2) continue;
        const candidates = [...groups[j]].sort(
          (a, b) => (specs[i].prefers.includes(a) ? 0 : 1) - (specs[i].prefers.includes(b) ? 0 : 1),
        );
        groups[j].delete(candidates[0]);
        groups[i].add(candidates[0]);
        moved = true;
      }
      if (!moved) {
        throw new CatalogueError(`${row.ministry}: expected group counts that cover all ${specs.length} programmes, got too few`);
      }
    }
    specs.forEach((spec, i) => {
      result.push({
        code: `${entry.prefix}-${String(i + 1).padStart(3, '0')}`,
        name: spec.name,
        ministry: row.ministry,
        targetGroups: TARGET_GROUPS.filter((group) => groups[i].has(group)),
        amount: spec.amount,
        kind: spec.kind,
        weight: spec.weight ?? 1,
        youth: spec.youth === true,
      });
    });
  }
  return result;
}

function programmeCode(catalogue: readonly ProgrammeDef[], name: string): string {
  const found = catalogue.find((programme) => programme.name === name);
  if (!found) throw new CatalogueError(`expected a programme named ${JSON.stringify(name)} in the catalogue, got none`);
  return found.code;
}

// ---------------------------------------------------------------------------------------------
// Population model.

const BANDS = 21;
const F = 0;
const M = 1;
type SexBit = typeof F | typeof M;
const BAND_MIN = Array.from({ length: BANDS }, (_, b) => b * 5);
const BAND_MAX = Array.from({ length: BANDS }, (_, b) => (b === BANDS - 1 ? OLDEST : b * 5 + 4));

/** Share of people in each five-year band who head a household (RSH/CASEN-like profile). */
const HEADSHIP = [0, 0, 0, 0.02, 0.1, 0.28, 0.38, 0.43, 0.47, 0.5, 0.53, 0.56, 0.59, 0.62, 0.64, 0.65, 0.63, 0.55, 0.45, 0.35, 0.3];
/** Extra weight of each band among people living alone (the elderly much more often). */
const LIVING_ALONE = [0, 0, 0, 0.5, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.1, 1.3, 1.8, 2.2, 2.4, 2.6, 2.6, 2.6, 2.6, 2.6];

function cellMultipliers(byBand: readonly number[], female: number): Float64Array {
  const out = new Float64Array(BANDS * 2);
  for (let b = 0; b < BANDS; b++) {
    out[b * 2 + F] = byBand[b] * female;
    out[b * 2 + M] = byBand[b];
  }
  return out;
}
const HEAD_WEIGHTS = cellMultipliers(HEADSHIP, 1.25);
const ALONE_WEIGHTS = cellMultipliers(
  HEADSHIP.map((h, b) => h * LIVING_ALONE[b]),
  1.1,
);

/** Household sizes in the RSH: many one- and two-person households, mean ≈ 2.75, rarely 12. */
const HOUSEHOLD_SIZE = new WeightedTable<number>([
  [1, 27], [2, 24], [3, 20], [4, 15], [5, 8], [6, 3.5], [7, 1.3], [8, 0.6], [9, 0.3], [10, 0.15], [11, 0.08], [12, 0.05],
]);

const CSE_BRACKETS = [40, 50, 60, 70, 80, 90, 100] as const;
/** Tramo CSE of households in the RSH: 40 (most vulnerable) for about half of them. */
const CSE_DEFAULT = new WeightedTable<number>(CSE_BRACKETS.map((b, i) => [b, [52, 10, 8, 8, 8, 7, 7][i]] as const));
const CSE_AFFLUENT = new WeightedTable<number>(CSE_BRACKETS.map((b, i) => [b, [22, 7, 7, 9, 13, 18, 24][i]] as const));
const CSE_MIGRANT = new WeightedTable<number>(CSE_BRACKETS.map((b, i) => [b, [65, 10, 7, 6, 5, 4, 3][i]] as const));
/** Communes of high income where far fewer households fall in the lowest brackets. */
const AFFLUENT_COMMUNES = new Set(['13114', '13132', '13123', '13115', '13113', '13120']);

/** Share of households headed by a foreign national, by region (INE estimates of migrants). */
const FOREIGN_HOUSEHOLD: Readonly<Record<string, number>> = { '13': 0.12, '01': 0.16, '02': 0.17, '15': 0.14, '03': 0.06, '04': 0.04, '05': 0.045 };
const FOREIGN_HOUSEHOLD_ELSEWHERE = 0.028;

/** Share of households with CONADI-accredited members, by region (2017 census self-identification). */
const INDIGENOUS_HOUSEHOLD: Readonly<Record<string, number>> = {
  '09': 0.27, '14': 0.19, '10': 0.19, '15': 0.23, '01': 0.14, '11': 0.18, '12': 0.13, '02': 0.1, '03': 0.09,
  '08': 0.06, '04': 0.045, '13': 0.04, '05': 0.033, '06': 0.028, '07': 0.028, '16': 0.035,
};
const RAPA_NUI_COMMUNE = '05201';

const RELATIONSHIP_DRAW = new WeightedTable<string>([
  ['CHILD', 72], ['GRANDCHILD', 9], ['PARENT', 4], ['SIBLING', 4], ['OTHER_RELATIVE', 7], ['NON_RELATIVE', 4],
]);

const DISABILITY_DEGREE = new WeightedTable<string>([['MILD', 30], ['MODERATE', 35], ['SEVERE', 25], ['PROFOUND', 10]]);
const DOCUMENT_STATUS = new WeightedTable<string>([['VALID', 96], ['EXPIRED', 3], ['BLOCKED', 1]]);
const GRANT_STATUS = new WeightedTable<string>([['ACTIVE', 70], ['ENDED', 24], ['SUSPENDED', 6]]);
const CASH_GRANT_STATUS = new WeightedTable<string>([['ACTIVE', 90], ['SUSPENDED', 6], ['ENDED', 4]]);

/** Health insurer by CSE bracket (FONASA ≈ 77% of people overall, ISAPRE ≈ 16%, armed forces ≈ 3%). */
const INSURER_BY_CSE: ReadonlyMap<number, WeightedTable<string>> = new Map(
  CSE_BRACKETS.map((bracket, i) => {
    const [fonasa, isapre, forces, none] = [[88, 6, 2, 4], [82, 11, 3, 4], [76, 17, 3, 4], [70, 22, 4, 4], [62, 30, 4, 4], [52, 40, 4, 4], [40, 52, 4, 4]][i];
    return [bracket, new WeightedTable<string>([['FONASA', fonasa], ['ISAPRE', isapre], ['CAPREDENA', forces * 0.55], ['DIPRECA', forces * 0.45], ['NONE', none]])];
  }),
);
/** FONASA bracket (A: no income … D: highest) by CSE bracket. */
const FONASA_BY_CSE: ReadonlyMap<number, WeightedTable<string>> = new Map(
  CSE_BRACKETS.map((bracket, i) => {
    const [a, b, c, d] = [[45, 35, 12, 8], [25, 40, 20, 15], [18, 35, 25, 22], [12, 30, 28, 30], [8, 25, 30, 37], [6, 20, 30, 44], [5, 15, 30, 50]][i];
    return [bracket, new WeightedTable<string>([['A', a], ['B', b], ['C', c], ['D', d]])];
  }),
);
/** How many programmes (drawn at random) a person holds, by CSE bracket: 0, 1, 2 or 3. */
const GRANTS_BY_CSE: ReadonlyMap<number, WeightedTable<number>> = new Map(
  CSE_BRACKETS.map((bracket, i) => {
    const weights = [[35, 35, 20, 10], [50, 30, 15, 5], [60, 27, 10, 3], [70, 22, 7, 1], [78, 17, 5, 0], [85, 13, 2, 0], [90, 9, 1, 0]][i];
    return [bracket, new WeightedTable<number>(weights.map((w, k) => [k, w] as const))];
  }),
);

/** Disasters recorded in SISE, with the communes hit and the share of their households affected. */
const EMERGENCIES: readonly { event: string; occurredOn: number; communes: readonly string[]; share: number }[] = [
  {
    event: 'Terremoto 27F 2010',
    occurredOn: 20100227,
    communes: ['07101', '07102', '07201', '07203', '07301', '07303', '08101', '08102', '08110', '08111', '08202', '16101'],
    share: 0.06,
  },
  { event: 'Incendio de Valparaíso 2014', occurredOn: 20140412, communes: ['05101'], share: 0.03 },
  { event: 'Aluvión de Atacama 2015', occurredOn: 20150325, communes: ['03101', '03103', '03201', '03202'], share: 0.05 },
  {
    event: 'Incendios forestales febrero 2023',
    occurredOn: 20230203,
    communes: ['16107', '16206', '16203', '08109', '08306', '08111', '09208', '09106', '09211', '09204', '09202', '09207'],
    share: 0.05,
  },
  {
    event: 'Sistema frontal junio 2023',
    occurredOn: 20230623,
    communes: ['06103', '06104', '06105', '06111', '06201', '07302', '07303', '07103', '07102', '07107', '08202', '08205'],
    share: 0.04,
  },
  { event: 'Incendio forestal Viña del Mar 2024', occurredOn: 20240202, communes: ['05109', '05804', '05801'], share: 0.03 },
];

/** Payroll amounts in pesos (approximate 2025 values). */
const SUF_AMOUNT = 22_007;
const FAMILY_ALLOWANCE_BY_CSE: Readonly<Record<number, number>> = { 50: 22_007, 60: 13_505, 70: 4_267, 80: 4_267 };
const PROTECTION_BONUS_BY_SEMESTER = [23_542, 17_937, 12_331, 12_331];
const PERMANENT_FAMILY_CONTRIBUTION = 64_563;
const WINTER_BONUS = 82_425;
const PERMANENT_FAMILY_PERIOD = 202503;
const WINTER_BONUS_PERIOD = 202505;

// ---------------------------------------------------------------------------------------------
// RUN bodies: correlated with birth year, unique through a bitmap of every body handed out.

const MAX_BODY = 99_999_999;
const FIRST_CHILEAN_BODY = 1_000_000;
const BODIES_PER_YEAR = 230_000;
const FOREIGN_FIRST = 25_000_000;
const FOREIGN_LAST = 27_999_999;

class RunAllocator {
  private readonly used = new Uint8Array(Math.ceil((MAX_BODY + 1) / 8));

  /** Takes `body` if free, else the next free body above it (wrapping to the first Chilean one). */
  private take(body: number): number {
    let candidate = body;
    for (;;) {
      if (candidate > MAX_BODY) candidate = FIRST_CHILEAN_BODY;
      const byte = candidate >>> 3;
      const bit = 1 << (candidate & 7);
      if ((this.used[byte] & bit) === 0) {
        this.used[byte] |= bit;
        return candidate;
      }
      candidate++;
    }
  }

  /** A body in the window of RUNs given to people born in Chile in `birthYear`. */
  chilean(rng: Random, birthYear: number): number {
    return this.take(FIRST_CHILEAN_BODY + Math.max(0, birthYear - 1900) * BODIES_PER_YEAR + rng.int(0, BODIES_PER_YEAR - 1));
  }

  /** A body in the recent range given to foreign residents. */
  foreign(rng: Random): number {
    return this.take(rng.int(FOREIGN_FIRST, FOREIGN_LAST));
  }
}

/**
 * Unique 9-digit document serials without bookkeeping: n ↦ 100,000,000 + (n·k + offset) mod 9·10⁸
 * is a bijection on n < 9·10⁸ because k = 7¹⁰ shares no factor with 9·10⁸ (= 2⁸·3²·5⁸).
 */
const SERIAL_SPAN = 900_000_000;
const SERIAL_MULTIPLIER = 282_475_249;
function documentSerial(n: number, offset: number): string {
  const product = (n % SERIAL_SPAN) * SERIAL_MULTIPLIER + offset;
  return String(100_000_000 + (product % SERIAL_SPAN));
}

// ---------------------------------------------------------------------------------------------
// Generation.

interface Member {
  run: number;
  relationship: string;
  age: number;
  sex: SexBit;
  birthDate: number;
  givenNames: string;
  paternal: string;
  maternal: string | null;
  nationality: string;
  deceased: boolean;
  email: string | null;
  phone: string | null;
  indigenous: boolean;
  disabled: boolean;
}

interface CommuneModel {
  ref: CommuneRef;
  /** Population per (band, sex): index band * 2 + sex. */
  cells: Float64Array;
  dense: boolean;
}

function communeModels(communes: readonly CommuneRef[], census: readonly CensusCell[]): CommuneModel[] {
  const byCode = new Map<string, CommuneModel>();
  const models = communes.map((ref) => {
    const model: CommuneModel = { ref, cells: new Float64Array(BANDS * 2), dense: ref.regionCode === '13' };
    byCode.set(ref.code, model);
    return model;
  });
  for (const cell of census) {
    const model = byCode.get(cell.communeCode);
    if (!model) throw new CatalogueError(`census: expected a commune code of communes.csv, got ${JSON.stringify(cell.communeCode)}`);
    model.cells[(cell.minAge / 5) * 2 + (cell.sex === 'F' ? F : M)] += cell.population;
  }
  for (const model of models) {
    let total = 0;
    for (const value of model.cells) total += value;
    model.dense ||= total > 150_000;
  }
  return models;
}

function total(cells: Float64Array): number {
  let sum = 0;
  for (const value of cells) sum += value;
  return sum;
}

const scratch = new Float64Array(BANDS * 2);

/**
 * An age in [lo, hi] and a sex (or the given one) drawn from the commune's census distribution,
 * optionally re-weighted per (band, sex). Returns age * 2 + sex.
 */
function drawAgeSex(rng: Random, commune: CommuneModel, lo: number, hi: number, sex: SexBit | -1, weights?: Float64Array): number {
  let sum = 0;
  for (let b = 0; b < BANDS; b++) {
    const from = Math.max(lo, BAND_MIN[b]);
    const to = Math.min(hi, BAND_MAX[b]);
    for (let s = 0; s < 2; s++) {
      const i = b * 2 + s;
      if (from > to || (sex !== -1 && s !== sex)) {
        scratch[i] = 0;
        continue;
      }
      const w = (commune.cells[i] * (to - from + 1)) / (BAND_MAX[b] - BAND_MIN[b] + 1) * (weights ? weights[i] : 1);
      scratch[i] = w;
      sum += w;
    }
  }
  if (!(sum > 0)) {
    const s = sex === -1 ? (rng.int(0, 1) as SexBit) : sex;
    return rng.int(lo, hi) * 2 + s;
  }
  let target = rng.next() * sum;
  let i = 0;
  for (; i < BANDS * 2 - 1; i++) {
    target -= scratch[i];
    if (target < 0 && scratch[i] > 0) break;
  }
  while (scratch[i] === 0) i--;
  const b = i >> 1;
  return rng.int(Math.max(lo, BAND_MIN[b]), Math.min(hi, BAND_MAX[b])) * 2 + (i & 1);
}

interface NameTables {
  female: Record<Cohort, WeightedTable<string>>;
  male: Record<Cohort, WeightedTable<string>>;
  femaleSecond: WeightedTable<string>;
  maleSecond: WeightedTable<string>;
  surnames: WeightedTable<string>;
}

function tableOf(entries: Weighted): WeightedTable<string> {
  return new WeightedTable(entries);
}

const NAME_TABLES: NameTables = {
  female: { before1970: tableOf(FEMALE_NAMES.before1970), from1970: tableOf(FEMALE_NAMES.from1970), from2000: tableOf(FEMALE_NAMES.from2000) },
  male: { before1970: tableOf(MALE_NAMES.before1970), from1970: tableOf(MALE_NAMES.from1970), from2000: tableOf(MALE_NAMES.from2000) },
  femaleSecond: tableOf(FEMALE_SECOND_NAMES),
  maleSecond: tableOf(MALE_SECOND_NAMES),
  surnames: tableOf(SURNAMES),
};
const NATIONALITY = tableOf(FOREIGN_NATIONALITIES);
const DOMAINS = tableOf(EMAIL_DOMAINS);
const BANKS = tableOf(PAYMENT_BANKS);
const PEOPLES: ReadonlyMap<string, WeightedTable<string>> = new Map(
  Object.entries(INDIGENOUS_PEOPLES_BY_REGION).map(([key, weights]) => [key, tableOf(weights)]),
);

const asciiCache = new Map<string, string>();
function ascii(text: string): string {
  let value = asciiCache.get(text);
  if (value === undefined) {
    value = asciiLower(text);
    asciiCache.set(text, value);
  }
  return value;
}

/** Which draw table a person uses: age group (<18, 18–29, 30–64, 65+) × sex × indigenous × dependency. */
function grantCategory(age: number, sex: SexBit, indigenous: boolean, dependent: boolean): number {
  const ageGroup = age < 18 ? 0 : age < 30 ? 1 : age < 65 ? 2 : 3;
  return ((ageGroup * 2 + sex) * 2 + (indigenous ? 1 : 0)) * 2 + (dependent ? 1 : 0);
}

/**
 * For each grant category, the programmes of kind `draw` its people may hold: children only
 * programmes targeting children; adults those whose demographic targets (dependency, older
 * adults, indigenous, women) include them or that have no demographic target at all; programmes
 * for the young (higher education, youth employment) only people under 30.
 */
function grantTables(catalogue: readonly ProgrammeDef[]): (WeightedTable<number> | null)[] {
  const tables: (WeightedTable<number> | null)[] = [];
  for (let ageGroup = 0; ageGroup < 4; ageGroup++) {
    for (const sex of [F, M] as const) {
      for (const indigenous of [false, true]) {
        for (const dependent of [false, true]) {
          const entries: [number, number][] = [];
          catalogue.forEach((programme, index) => {
            if (programme.kind !== 'draw') return;
            const groups = programme.targetGroups;
            let eligible: boolean;
            if (programme.youth && ageGroup > 1) eligible = false;
            else if (ageGroup === 0) eligible = groups.includes('CHILDREN_AND_ADOLESCENTS');
            else {
              const demographic = groups.filter((g) => g === 'DEPENDENCY' || g === 'OLDER_ADULTS' || g === 'INDIGENOUS' || g === 'WOMEN' || g === 'CHILDREN_AND_ADOLESCENTS');
              eligible =
                demographic.length === 0 ||
                (groups.includes('DEPENDENCY') && dependent) ||
                (groups.includes('OLDER_ADULTS') && ageGroup === 3) ||
                (groups.includes('INDIGENOUS') && indigenous) ||
                (groups.includes('WOMEN') && sex === F);
            }
            if (eligible) entries.push([index, programme.weight]);
          });
          tables.push(entries.length > 0 ? new WeightedTable(entries) : null);
        }
      }
    }
  }
  return tables;
}

type Row = (string | number | null)[];

/**
 * Fills the register. The caller opened `db` and ran `migrate(db)`; the register tables must be
 * empty. Writes in transactions of 20,000 households with load settings described below; the
 * database ends in WAL mode.
 */
export function generateRegister(db: Database.Database, options: GenerateOptions): GenerateStats {
  const { households, seed } = options;
  if (!Number.isInteger(households) || households < 1) {
    throw new RangeError(`expected households to be a whole number >= 1, got ${String(households)}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) {
    throw new RangeError(`expected seed to be a whole number from 0 to 4294967295, got ${String(seed)}`);
  }
  const nonEmpty = REGISTER_TABLES.find((table) => db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined);
  if (nonEmpty) throw new Error(`expected an empty register database, got rows in table ${nonEmpty}`);

  const started = performance.now();
  const communes = loadCommunes();
  const models = communeModels(communes, loadCensus());
  const catalogue = buildProgrammeCatalogue();
  const drawTables = grantTables(catalogue);
  const communeTable = new WeightedTable(models.map((model, i) => [i, total(model.cells)] as const));
  const eventsByCommune = new Map<string, (typeof EMERGENCIES)[number][]>();
  for (const event of EMERGENCIES) {
    for (const code of event.communes) eventsByCommune.set(code, [...(eventsByCommune.get(code) ?? []), event]);
  }
  const code = {
    suf: programmeCode(catalogue, 'Subsidio Único Familiar (SUF)'),
    familyAllowance: programmeCode(catalogue, 'Asignación Familiar'),
    protection: programmeCode(catalogue, 'Bono de Protección'),
    baseFamily: programmeCode(catalogue, 'Bono Base Familiar'),
    permanentContribution: programmeCode(catalogue, 'Aporte Familiar Permanente'),
    winter: programmeCode(catalogue, 'Bono Invierno'),
    families: programmeCode(catalogue, 'Programa Familias'),
    street: programmeCode(catalogue, 'Programa Calle'),
  };

  const rng = new Random(seed);
  const runs = new RunAllocator();
  const serialOffset = rng.int(0, SERIAL_SPAN - 1);
  const rows = Object.fromEntries(REGISTER_TABLES.map((table) => [table, 0])) as Record<RegisterTable, number>;

  // Load settings: a rollback journal without fsync while loading (a failed load leaves a file to
  // delete and regenerate, nothing worth protecting; better-sqlite3's defensive mode refuses
  // journal_mode OFF), a 256 MB page cache, and the secondary indexes dropped and rebuilt at the
  // end (a sorted build instead of millions of random-order B-tree inserts). The database ends in
  // WAL mode with the caller's synchronous and cache size.
  const previousSynchronous = db.pragma('synchronous', { simple: true }) as number;
  const previousCache = db.pragma('cache_size', { simple: true }) as number;
  const tableList = REGISTER_TABLES.map((table) => `'${table}'`).join(', ');
  const secondaryIndexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tableList}) ORDER BY name`)
    .all() as { name: string; sql: string }[];
  db.pragma('journal_mode = DELETE');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  for (const index of secondaryIndexes) db.exec(`DROP INDEX "${index.name}"`);

  const insert = {
    region: db.prepare('INSERT INTO region (code, name) VALUES (?, ?)'),
    commune: db.prepare('INSERT INTO commune (code, name, province_code, province_name, region_code) VALUES (?, ?, ?, ?, ?)'),
    program: db.prepare('INSERT INTO program (code, name, ministry) VALUES (?, ?, ?)'),
    targetGroup: db.prepare('INSERT INTO program_target_group (program_code, target_group) VALUES (?, ?)'),
    household: db.prepare(
      'INSERT INTO household (id, cse_bracket, street, street_number, unit, commune_code, registered_on, updated_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    person: db.prepare(
      `INSERT INTO person (run, given_names, paternal_surname, maternal_surname, birth_date, sex, nationality, deceased,
         street, street_number, unit, commune_code, email, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    member: db.prepare('INSERT INTO household_member (household_id, run, relationship, ordinal) VALUES (?, ?, ?, ?)'),
    disability: db.prepare('INSERT INTO disability_record (run, degree, registered_on, source, as_of) VALUES (?, ?, ?, ?, ?)'),
    indigenous: db.prepare('INSERT INTO indigenous_record (run, people, accredited_on, source, as_of) VALUES (?, ?, ?, ?, ?)'),
    health: db.prepare('INSERT INTO health_insurance (run, insurer, bracket, source, as_of) VALUES (?, ?, ?, ?, ?)'),
    street: db.prepare('INSERT INTO street_situation_record (run, since, commune_code, source, as_of) VALUES (?, ?, ?, ?, ?)'),
    emergency: db.prepare('INSERT INTO emergency_record (run, event, occurred_on, commune_code, source, as_of) VALUES (?, ?, ?, ?, ?, ?)'),
    identity: db.prepare('INSERT INTO civil_identity (run, document_serial, document_status, expires_on) VALUES (?, ?, ?, ?)'),
    grant: db.prepare('INSERT INTO benefit_grant (run, program_code, status, granted_on, ended_on, amount) VALUES (?, ?, ?, ?, ?, ?)'),
    subsystem: db.prepare('INSERT INTO subsystem_membership (run, subsystem, since, active) VALUES (?, ?, ?, ?)'),
    payment: db.prepare(
      `INSERT INTO payment (period, program_code, household_id, payee_run, commune_code, individual_amount, total_amount, method, bank)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    meta: db.prepare('INSERT INTO register_meta (key, value) VALUES (?, ?)'),
  };
  const add = (table: RegisterTable, statement: Database.Statement, row: Row): void => {
    statement.run(row);
    rows[table]++;
  };

  db.transaction(() => {
    for (const region of regionsOf(communes)) add('region', insert.region, [region.code, region.name]);
    for (const c of communes) add('commune', insert.commune, [c.code, c.name, c.provinceCode, c.provinceName, c.regionCode]);
    for (const p of catalogue) {
      add('program', insert.program, [p.code, p.name, p.ministry]);
      for (const group of p.targetGroups) add('program_target_group', insert.targetGroup, [p.code, group]);
    }
  })();

  let personIndex = 0;
  let largest = 0;

  // --- names --------------------------------------------------------------------------------
  function givenNames(sex: SexBit, birthYear: number, haitian: boolean): string {
    if (haitian) {
      const first = rng.pick(sex === F ? HAITIAN_FEMALE_NAMES : HAITIAN_MALE_NAMES);
      return rng.chance(0.3) ? `${first} ${rng.pick(sex === F ? HAITIAN_FEMALE_NAMES : HAITIAN_MALE_NAMES)}` : first;
    }
    const cohort = cohortOf(birthYear);
    const first = (sex === F ? NAME_TABLES.female : NAME_TABLES.male)[cohort].pick(rng);
    if (!rng.chance(0.72)) return first;
    const seconds = sex === F ? NAME_TABLES.femaleSecond : NAME_TABLES.maleSecond;
    let second = seconds.pick(rng);
    if (second === first) second = seconds.pick(rng);
    return second === first ? first : `${first} ${second}`;
  }

  interface Lineage { nationality: string; people: string | null }

  function surname(lineage: Lineage, indigenousShare: number): string {
    if (lineage.nationality === 'HAITIANA') return rng.pick(HAITIAN_SURNAMES);
    if ((lineage.nationality === 'PERUANA' || lineage.nationality === 'BOLIVIANA') && rng.chance(0.4)) return rng.pick(ANDEAN_SURNAMES);
    if (lineage.people) {
      const pool = indigenousSurnamePool(lineage.people);
      if (pool && rng.chance(indigenousShare)) return rng.pick(pool);
    }
    return NAME_TABLES.surnames.pick(rng);
  }

  // --- one household --------------------------------------------------------------------------
  function generateHousehold(id: number, forcedSize: number | null): void {
    const commune = models[communeTable.pick(rng)];
    const ref = commune.ref;
    const size = forcedSize ?? HOUSEHOLD_SIZE.pick(rng);
    largest = Math.max(largest, size);

    const foreign = rng.chance(FOREIGN_HOUSEHOLD[ref.regionCode] ?? FOREIGN_HOUSEHOLD_ELSEWHERE);
    const nationality = foreign ? NATIONALITY.pick(rng) : 'CHILENA';
    const haitian = nationality === 'HAITIANA';
    const yearsInChile = rng.int(1, 10);
    const indigenousShare = ref.code === RAPA_NUI_COMMUNE ? 0.45 : (INDIGENOUS_HOUSEHOLD[ref.regionCode] ?? 0.03);
    const indigenousHousehold = !foreign && rng.chance(indigenousShare);
    const people = indigenousHousehold
      ? (PEOPLES.get(ref.code === RAPA_NUI_COMMUNE ? 'rapaNui' : ref.regionCode) ?? PEOPLES.get('other')!).pick(rng)
      : null;
    const lineage: Lineage = { nationality, people };
    const chileanLineage: Lineage = { nationality: 'CHILENA', people };

    const head = drawAgeSex(rng, commune, 18, OLDEST, -1, size === 1 ? ALONE_WEIGHTS : HEAD_WEIGHTS);
    const streetSituation = size === 1 && (head >> 1) < 80 && rng.chance(0.003);
    const cse = streetSituation ? 40 : (foreign ? CSE_MIGRANT : AFFLUENT_COMMUNES.has(ref.code) ? CSE_AFFLUENT : CSE_DEFAULT).pick(rng);

    let street: string | null = null;
    let streetNumber: string | null = null;
    let unit: string | null = null;
    if (!streetSituation) {
      street = rng.pick(STREETS);
      streetNumber = rng.chance(0.015) ? 'S/N' : String(Math.min(9999, 1 + Math.floor(-Math.log(1 - rng.next()) * 900)));
      if (rng.chance(commune.dense ? 0.3 : 0.12)) {
        const kind = rng.int(0, 9);
        const depto = `${rng.int(1, 22)}${String(rng.int(1, 8)).padStart(2, '0')}`;
        unit =
          kind < 5 ? `Depto ${depto}`
          : kind < 7 ? `Block ${'ABCDEF'[rng.int(0, 5)]}`
          : kind < 9 ? `Casa ${rng.int(1, 60)}`
          : `Torre ${rng.int(1, 6)} Depto ${depto}`;
      }
    }
    const registeredOn = randomDate(rng, 20160101, 20241231);
    const updatedOn = randomDate(rng, registeredOn, AS_OF);
    add('household', insert.household, [id, cse, street, streetNumber, unit, ref.code, registeredOn, updatedOn]);

    // Composition: head, perhaps a spouse, then relatives drawn with age ranges their tie allows.
    const members: Member[] = [];
    const makeMember = (relationship: string, ageSex: number, paternal: string, maternal: string | null, nat: string): Member => {
      const age = ageSex >> 1;
      const sex = (ageSex & 1) as SexBit;
      const birthDate = birthDateForAge(rng, age);
      const birthYear = Math.floor(birthDate / 10000);
      const isForeign = nat !== 'CHILENA';
      const run = isForeign ? runs.foreign(rng) : runs.chilean(rng, birthYear);
      const deathRisk = age >= 85 ? 0.05 : age >= 75 ? 0.018 : age >= 65 ? 0.006 : 0.0004;
      const member: Member = {
        run,
        relationship,
        age,
        sex,
        birthDate,
        givenNames: givenNames(sex, birthYear, nat === 'HAITIANA'),
        paternal,
        maternal: nat === 'HAITIANA' ? null : maternal,
        nationality: nat,
        deceased: rng.chance(deathRisk),
        email: null,
        phone: null,
        indigenous: false,
        disabled: false,
      };
      if (age >= 18 && !member.deceased) {
        if (rng.chance(0.4)) {
          const first = ascii(member.givenNames.split(' ')[0]);
          const suffix = rng.chance(0.5) ? String(rng.int(1, 999)) : '';
          member.email = `${first}.${ascii(paternal)}${suffix}@${DOMAINS.pick(rng)}`;
        }
        if (rng.chance(0.7)) member.phone = `+569${rng.int(10_000_000, 99_999_999)}`;
      }
      members.push(member);
      return member;
    };

    const headMember = makeMember('HEAD', head, surname(lineage, 0.55), surname(lineage, 0.45), nationality);
    let spouse: Member | null = null;
    if (size >= 2 && rng.chance(size === 2 ? 0.5 : 0.68)) {
      const sex: SexBit = rng.chance(0.97) ? ((1 - headMember.sex) as SexBit) : headMember.sex;
      const spouseNationality = foreign && rng.chance(0.1) ? 'CHILENA' : nationality;
      const spouseLineage = spouseNationality === nationality ? lineage : chileanLineage;
      const ageSex = drawAgeSex(rng, commune, Math.max(18, headMember.age - 12), Math.min(OLDEST, headMember.age + 12), sex);
      spouse = makeMember('SPOUSE_OR_PARTNER', ageSex, surname(spouseLineage, 0.3), surname(spouseLineage, 0.3), spouseNationality);
    }
    const couple = spouse !== null && spouse.sex !== headMember.sex;
    const mother = headMember.sex === F ? headMember : couple ? spouse : null;
    const father = headMember.sex === M ? headMember : couple ? spouse : null;
    const parentsPresent = new Set<SexBit>();

    while (members.length < size) {
      let relationship = RELATIONSHIP_DRAW.pick(rng);
      const h = headMember.age;
      if (relationship === 'GRANDCHILD' && h < 36) relationship = 'CHILD';
      if (relationship === 'PARENT' && (h + 16 > OLDEST || parentsPresent.size === 2)) relationship = 'OTHER_RELATIVE';
      switch (relationship) {
        case 'CHILD': {
          const parents = [mother, father].filter((p): p is Member => p !== null);
          const hi = Math.min(...parents.map((p) => p.age - 16));
          let lo = Math.max(0, ...parents.map((p) => p.age - (p.sex === F ? 45 : 60)));
          if (lo > hi) lo = Math.max(0, hi - 5);
          const ageSex = drawAgeSex(rng, commune, lo, hi, -1);
          const childAge = ageSex >> 1;
          const childNationality = foreign && childAge < yearsInChile ? 'CHILENA' : nationality;
          let paternal: string;
          let maternal: string | null;
          if (father && mother) {
            paternal = father.paternal;
            maternal = mother.paternal;
          } else if (mother) {
            const alone = childNationality === 'HAITIANA' || rng.chance(0.3);
            paternal = alone ? mother.paternal : surname(chileanLineage, 0);
            maternal = alone ? mother.maternal : mother.paternal;
          } else {
            paternal = headMember.paternal;
            maternal = surname(lineage, 0.3);
          }
          makeMember('CHILD', ageSex, paternal, maternal ?? surname(chileanLineage, 0), childNationality);
          break;
        }
        case 'GRANDCHILD': {
          const ageSex = drawAgeSex(rng, commune, Math.max(0, h - 75), h - 34, -1);
          const viaSon = rng.chance(0.5);
          const childNationality = foreign && ageSex >> 1 < yearsInChile ? 'CHILENA' : nationality;
          makeMember(
            'GRANDCHILD',
            ageSex,
            viaSon ? headMember.paternal : surname(chileanLineage, 0.2),
            viaSon ? surname(chileanLineage, 0.2) : headMember.paternal,
            childNationality,
          );
          break;
        }
        case 'PARENT': {
          const sex: SexBit = parentsPresent.has(F) ? M : parentsPresent.has(M) ? F : (rng.int(0, 1) as SexBit);
          parentsPresent.add(sex);
          const ageSex = drawAgeSex(rng, commune, h + 16, OLDEST, sex);
          const paternal = sex === M ? headMember.paternal : (headMember.maternal ?? surname(lineage, 0.3));
          makeMember('PARENT', ageSex, paternal, surname(lineage, 0.3), nationality);
          break;
        }
        case 'SIBLING': {
          const ageSex = drawAgeSex(rng, commune, Math.max(0, h - 18), Math.min(OLDEST, h + 18), -1);
          makeMember('SIBLING', ageSex, headMember.paternal, headMember.maternal, nationality);
          break;
        }
        case 'OTHER_RELATIVE': {
          const ageSex = drawAgeSex(rng, commune, 0, OLDEST, -1);
          makeMember('OTHER_RELATIVE', ageSex, rng.chance(0.5) ? headMember.paternal : surname(lineage, 0.3), surname(lineage, 0.3), nationality);
          break;
        }
        default: {
          const ageSex = drawAgeSex(rng, commune, 15, 90, -1);
          const otherNationality = foreign && rng.chance(0.5) ? nationality : 'CHILENA';
          const otherLineage = otherNationality === nationality ? lineage : chileanLineage;
          makeMember('NON_RELATIVE', ageSex, surname(otherLineage, 0.2), surname(otherLineage, 0.2), otherNationality);
        }
      }
    }

    // Persons and membership, then the sectoral registers of each member.
    const insurerTable = INSURER_BY_CSE.get(cse)!;
    const householdInsurer = insurerTable.pick(rng);
    const householdFonasa = FONASA_BY_CSE.get(cse)!.pick(rng);
    for (let ordinal = 0; ordinal < members.length; ordinal++) {
      const m = members[ordinal];
      add('person', insert.person, [
        m.run, m.givenNames, m.paternal, m.maternal, m.birthDate, m.sex === F ? 'F' : 'M', m.nationality, m.deceased ? 1 : 0,
        street, streetNumber, unit, ref.code, m.email, m.phone,
      ]);
      add('household_member', insert.member, [id, m.run, m.relationship, ordinal + 1]);

      const disabilityRisk = m.age < 18 ? 0.006 : m.age < 45 ? 0.01 : m.age < 65 ? 0.025 : m.age < 80 ? 0.05 : 0.09;
      if (rng.chance(disabilityRisk)) {
        m.disabled = true;
        const registered = randomDate(rng, Math.max(m.birthDate, 19950101), AS_OF);
        add('disability_record', insert.disability, [m.run, DISABILITY_DEGREE.pick(rng), registered, 'SENADIS/COMPIN', AS_OF]);
      }
      if (people && m.nationality === 'CHILENA' && (m.relationship === 'HEAD' || rng.chance(0.85))) {
        m.indigenous = true;
        const accredited = randomDate(rng, Math.max(m.birthDate, 19940101), AS_OF);
        add('indigenous_record', insert.indigenous, [m.run, people, accredited, 'CONADI', AS_OF]);
      }
      if (!m.deceased) {
        const insurer = rng.chance(0.85) ? householdInsurer : insurerTable.pick(rng);
        if (insurer !== 'NONE') {
          const fonasa = insurer === 'FONASA';
          const bracket = fonasa ? (rng.chance(0.8) ? householdFonasa : FONASA_BY_CSE.get(cse)!.pick(rng)) : null;
          add('health_insurance', insert.health, [m.run, insurer, bracket, fonasa ? 'FONASA' : 'Superintendencia de Salud', AS_OF]);
        }
        const status = DOCUMENT_STATUS.pick(rng);
        const expires =
          status === 'VALID' ? randomDate(rng, 20251201, 20351130)
          : status === 'EXPIRED' ? randomDate(rng, 20150101, 20251129)
          : randomDate(rng, 20240101, 20341231);
        add('civil_identity', insert.identity, [m.run, documentSerial(personIndex, serialOffset), status, expires]);
      }
      personIndex++;
    }

    if (streetSituation) {
      const since = randomDate(rng, Math.max(20100101, addMonths(headMember.birthDate, 18 * 12)), AS_OF);
      add('street_situation_record', insert.street, [headMember.run, since, ref.code, 'RSH Calle', AS_OF]);
      if (!headMember.deceased) {
        const active = rng.chance(0.6);
        const granted = randomDate(rng, Math.max(since, 20160101), AS_OF);
        add('benefit_grant', insert.grant, [headMember.run, code.street, active ? 'ACTIVE' : 'ENDED', granted, active ? null : randomDate(rng, granted, AS_OF), null]);
      }
    }

    for (const event of eventsByCommune.get(ref.code) ?? []) {
      if (!rng.chance(event.share)) continue;
      for (const m of members) {
        if (m.birthDate <= event.occurredOn) {
          add('emergency_record', insert.emergency, [m.run, event.event, event.occurredOn, ref.code, 'SISE', AS_OF]);
        }
      }
    }

    // Subsystem: Seguridades y Oportunidades for ~8% of CSE-40 households; some former Chile Solidario.
    let subsystemSince = 0;
    let subsystemActive = false;
    if (cse === 40) {
      const r = rng.next();
      if (r < 0.08) {
        subsystemSince = randomDate(rng, 20130101, AS_OF);
        subsystemActive = rng.chance(0.85);
        for (const m of members) {
          const since = Math.max(subsystemSince, m.birthDate);
          add('subsystem_membership', insert.subsystem, [m.run, 'SEGURIDADES_Y_OPORTUNIDADES', since, subsystemActive ? 1 : 0]);
        }
        if (!headMember.deceased) {
          add('benefit_grant', insert.grant, [
            headMember.run, code.families, subsystemActive ? 'ACTIVE' : 'ENDED', subsystemSince,
            subsystemActive ? null : Math.min(AS_OF, addMonths(subsystemSince, 24)), null,
          ]);
        }
      } else if (r < 0.095) {
        const since = randomDate(rng, 20030101, 20121231);
        for (const m of members) {
          if (m.birthDate <= since) add('subsystem_membership', insert.subsystem, [m.run, 'CHILE_SOLIDARIO', since, 0]);
        }
      }
    }

    // Programmes drawn per person, biased to the vulnerable through the number drawn per bracket.
    const grantCount = GRANTS_BY_CSE.get(cse)!;
    for (const m of members) {
      if (m.deceased) continue;
      const k = grantCount.pick(rng);
      if (k === 0) continue;
      const table = drawTables[grantCategory(m.age, m.sex, m.indigenous, m.disabled || m.age >= 80)];
      if (!table) continue;
      const chosen: number[] = [];
      for (let attempt = 0; attempt < k * 3 && chosen.length < k; attempt++) {
        const index = table.pick(rng);
        if (!chosen.includes(index)) chosen.push(index);
      }
      for (const index of chosen) {
        const programme = catalogue[index];
        const status = GRANT_STATUS.pick(rng);
        const granted = randomDate(rng, Math.max(m.birthDate, 20160101), AS_OF);
        const ended = status === 'ENDED' ? randomDate(rng, granted, AS_OF) : null;
        add('benefit_grant', insert.grant, [m.run, programme.code, status, granted, ended, programme.amount]);
      }
    }

    generatePayroll(id, ref.code, cse, members, headMember, mother, subsystemActive ? subsystemSince : 0);
  }

  // --- payroll ------------------------------------------------------------------------------------
  function generatePayroll(
    householdId: number,
    communeCode: string,
    cse: number,
    members: readonly Member[],
    head: Member,
    mother: Member | null,
    subsystemSince: number,
  ): void {
    const living = members.filter((m) => !m.deceased);
    if (living.length === 0) return;
    const payee = mother && !mother.deceased ? mother : !head.deceased ? head : living[0];
    const children = living.filter((m) => m.age < 18).length;
    const bank = rng.chance(0.7) ? BANKS.pick(rng) : null;
    const method = bank ? 'BANK_ACCOUNT' : 'CASH_AT_COUNTER';
    const pay = (period: number, programme: string, payeeRun: number, individual: number, beneficiaries: number): void => {
      add('payment', insert.payment, [period, programme, householdId, payeeRun, communeCode, individual, individual * beneficiaries, method, bank]);
    };
    /** A monthly cash grant to the payee: its grant row, then one payment per period it covers. */
    const monthly = (programme: string, since: number, status: string, amountFor: (period: number) => number, beneficiaries: number): void => {
      const ended = status === 'ENDED' ? randomDate(rng, since, AS_OF) : null;
      const stop = status === 'SUSPENDED' ? rng.pick(PAYROLL_PERIODS) : ended !== null ? Math.floor(ended / 100) : Infinity;
      add('benefit_grant', insert.grant, [payee.run, programme, status, since, ended, amountFor(PAYROLL_PERIODS[PAYROLL_PERIODS.length - 1]) * beneficiaries]);
      for (const period of PAYROLL_PERIODS) {
        if (period < Math.floor(since / 100) || period >= stop) continue;
        const amount = amountFor(period);
        if (amount > 0) pay(period, programme, payee.run, amount, beneficiaries);
      }
    };

    let familyTransfer = false;
    if (children > 0 && cse <= 60 && rng.chance(cse === 40 ? 0.55 : cse === 50 ? 0.3 : 0.15)) {
      familyTransfer = true;
      monthly(code.suf, randomDate(rng, Math.max(20160101, payee.birthDate), AS_OF), CASH_GRANT_STATUS.pick(rng), () => SUF_AMOUNT, children);
    } else if (children > 0 && cse >= 50 && cse <= 80 && rng.chance(0.3)) {
      familyTransfer = true;
      const amount = FAMILY_ALLOWANCE_BY_CSE[cse];
      monthly(code.familyAllowance, randomDate(rng, Math.max(20160101, payee.birthDate), AS_OF), CASH_GRANT_STATUS.pick(rng), () => amount, children);
    }

    if (subsystemSince > 0) {
      const protectionEnds = addMonths(subsystemSince, 24);
      const protectionStatus = protectionEnds <= AS_OF ? 'ENDED' : 'ACTIVE';
      add('benefit_grant', insert.grant, [
        payee.run, code.protection, protectionStatus, subsystemSince, protectionStatus === 'ENDED' ? protectionEnds : null, PROTECTION_BONUS_BY_SEMESTER[0],
      ]);
      for (const period of PAYROLL_PERIODS) {
        const months = monthsBetween(subsystemSince, period);
        if (months >= 0 && months < 24) pay(period, code.protection, payee.run, PROTECTION_BONUS_BY_SEMESTER[Math.floor(months / 6)], 1);
      }
      const perPerson = rng.int(4, 25) * 1000 + rng.int(0, 999);
      monthly(code.baseFamily, subsystemSince, 'ACTIVE', () => perPerson, living.length);
    }

    if (familyTransfer || subsystemSince > 0) {
      const beneficiaries = familyTransfer ? children : 1;
      add('benefit_grant', insert.grant, [payee.run, code.permanentContribution, 'ENDED', 20250301, 20250331, PERMANENT_FAMILY_CONTRIBUTION * beneficiaries]);
      pay(PERMANENT_FAMILY_PERIOD, code.permanentContribution, payee.run, PERMANENT_FAMILY_CONTRIBUTION, beneficiaries);
    }

    if (cse <= 60) {
      for (const m of living) {
        if (m.age < 65 || !rng.chance(0.75)) continue;
        add('benefit_grant', insert.grant, [m.run, code.winter, 'ENDED', 20250501, 20250531, WINTER_BONUS]);
        pay(WINTER_BONUS_PERIOD, code.winter, m.run, WINTER_BONUS, 1);
      }
    }
  }

  // --- the load -----------------------------------------------------------------------------------
  const CHUNK = 20_000;
  const progressEvery = Math.max(1, Math.min(CHUNK, Math.ceil(households / 100)));
  try {
    for (let first = 1; first <= households; first += CHUNK) {
      const last = Math.min(households, first + CHUNK - 1);
      db.transaction(() => {
        for (let id = first; id <= last; id++) {
          const forced = id === households && households >= 100 && largest < 10 ? 10 : null;
          generateHousehold(id, forced);
          if (options.onProgress && (id % progressEvery === 0 || id === households)) options.onProgress(id, households);
        }
      })();
    }
    db.transaction(() => {
      const meta: [string, string][] = [
        ['seed', String(seed)],
        ['households', String(households)],
        ['persons', String(rows.person)],
        ['as_of', String(AS_OF)],
        ['generator', 'data/generate.ts'],
        ['generated_at', new Date().toISOString()],
      ];
      for (const [key, value] of meta) add('register_meta', insert.meta, [key, value]);
    })();
  } finally {
    for (const index of secondaryIndexes) db.exec(index.sql);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${previousSynchronous}`);
    db.pragma(`cache_size = ${previousCache}`);
  }
  db.pragma('optimize');

  const seconds = (performance.now() - started) / 1000;
  return { seed, households, persons: rows.person, rows, seconds, personsPerSecond: rows.person / seconds };
}

// ---------------------------------------------------------------------------------------------
// Showcase records for the README.

export interface ExampleHousehold {
  id: string;
  communeCode: string;
  size: number;
  headRun: string;
}

export interface ExampleRecords {
  /** Lowest household id in Santiago (13101) with at least 3 members. */
  santiagoHousehold: ExampleHousehold | null;
  /** Lowest household id in Valparaíso (05101) with at least 3 members. */
  valparaisoHousehold: ExampleHousehold | null;
  /** The largest household (ties: lowest id). */
  largestHousehold: ExampleHousehold | null;
  /** Lowest RUN of a household member in the disability register. */
  disabilityRun: string | null;
  /** Lowest RUN of an active member of Seguridades y Oportunidades. */
  subsystemRun: string | null;
  /** Lowest RUN that receives payments. */
  payeeRun: string | null;
}

/** Deterministic showcase records of a generated register, found by SQL (see ExampleRecords). */
export function exampleRecords(db: Database.Database): ExampleRecords {
  const householdRow = db.prepare(
    `SELECT h.id AS id, h.commune_code AS communeCode,
            (SELECT COUNT(*) FROM household_member m WHERE m.household_id = h.id) AS size,
            (SELECT m.run FROM household_member m WHERE m.household_id = h.id AND m.relationship = 'HEAD') AS headRun
       FROM household h WHERE h.id = ?`,
  );
  const household = (id: number | undefined): ExampleHousehold | null => {
    if (id === undefined) return null;
    const row = householdRow.get(id) as { id: number; communeCode: string; size: number; headRun: number };
    return { id: String(row.id), communeCode: row.communeCode, size: row.size, headRun: formatRun(row.headRun) };
  };
  const inCommune = db.prepare(
    `SELECT h.id AS id FROM household h
      WHERE h.commune_code = ? AND (SELECT COUNT(*) FROM household_member m WHERE m.household_id = h.id) >= 3
      ORDER BY h.id LIMIT 1`,
  );
  const firstId = (commune: string): number | undefined => (inCommune.get(commune) as { id: number } | undefined)?.id;
  const largest = db
    .prepare('SELECT household_id AS id FROM household_member GROUP BY household_id ORDER BY COUNT(*) DESC, household_id LIMIT 1')
    .get() as { id: number } | undefined;
  const run = (sql: string): string | null => {
    const row = db.prepare(sql).get() as { run: number | null } | undefined;
    return row && row.run !== null ? formatRun(row.run) : null;
  };
  return {
    santiagoHousehold: household(firstId('13101')),
    valparaisoHousehold: household(firstId('05101')),
    largestHousehold: household(largest?.id),
    disabilityRun: run('SELECT MIN(d.run) AS run FROM disability_record d JOIN household_member m ON m.run = d.run'),
    subsystemRun: run(
      "SELECT MIN(run) AS run FROM subsystem_membership WHERE subsystem = 'SEGURIDADES_Y_OPORTUNIDADES' AND active = 1",
    ),
    payeeRun: run('SELECT MIN(payee_run) AS run FROM payment'),
  };
}
