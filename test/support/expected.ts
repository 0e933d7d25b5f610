import type Database from 'better-sqlite3';
import { isoFromNumber } from '../../lib/dates';
import { formatRun } from '../../lib/run';

/**
 * Expected API values computed straight from the database rows, independently of the resolvers,
 * so that tests compare the API with what the generator wrote (not with a hand-written snapshot).
 */

const iso = (value: number | null) => (value === null ? null : isoFromNumber(value));

export function communeJson(db: Database.Database, code: string) {
  const row = db
    .prepare(`SELECT c.code, c.name, c.province_name AS province, r.code AS regionCode, r.name AS regionName
      FROM commune c JOIN region r ON r.code = c.region_code WHERE c.code = ?`)
    .get(code) as { code: string; name: string; province: string; regionCode: string; regionName: string };
  return { code: row.code, name: row.name, province: row.province, region: { code: row.regionCode, name: row.regionName } };
}

interface AddressRow { street: string | null; street_number: string | null; unit: string | null; commune_code: string | null }

export function addressJson(db: Database.Database, row: AddressRow) {
  if (row.commune_code === null) return null;
  return { street: row.street, number: row.street_number, unit: row.unit, commune: communeJson(db, row.commune_code) };
}

/** Whole years from a YYYYMMDD birth date to today (UTC), computed differently from the resolver. */
function ageToday(birth: number | null): number | null {
  if (birth === null) return null;
  const now = new Date();
  const born = new Date(Date.UTC(Math.floor(birth / 10000), Math.floor(birth / 100) % 100 - 1, birth % 100));
  let age = now.getUTCFullYear() - born.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() < born.getUTCMonth() || (now.getUTCMonth() === born.getUTCMonth() && now.getUTCDate() < born.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

export function personJson(db: Database.Database, body: number) {
  const row = db.prepare('SELECT * FROM person WHERE run = ?').get(body) as Record<string, any>;
  return {
    run: formatRun(row.run),
    givenNames: row.given_names,
    paternalSurname: row.paternal_surname,
    maternalSurname: row.maternal_surname,
    birthDate: iso(row.birth_date),
    age: ageToday(row.birth_date),
    sex: row.sex === null ? null : row.sex === 'F' ? 'FEMALE' : 'MALE',
    nationality: row.nationality,
    deceased: row.deceased === 1,
    address: addressJson(db, row as AddressRow),
    contact: row.email === null && row.phone === null ? null : { email: row.email, phone: row.phone },
  };
}

/** The GraphQL selection matching personJson. */
export const PERSON_FIELDS = `run givenNames paternalSurname maternalSurname birthDate age sex nationality deceased
  address { street number unit commune { code name province region { code name } } }
  contact { email phone }`;

export const ADDRESS_FIELDS = 'address { street number unit commune { code name province region { code name } } }';

/** A scalar column of one row, for picking test subjects by SQL. */
export function pick<T = number>(db: Database.Database, sql: string, ...params: unknown[]): T {
  const row = db.prepare(sql).get(...params) as Record<string, T> | undefined;
  if (!row) throw new Error(`test fixture: no row for ${sql}`);
  return Object.values(row)[0];
}

export { iso };
