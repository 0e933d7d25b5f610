/**
 * Dates as the register stores them (numbers YYYYMMDD, periods YYYYMM) and as the API shows them
 * (ISO "YYYY-MM-DD", "YYYY-MM").
 */

/** 20240131 → "2024-01-31". */
export function isoFromNumber(value: number): string {
  const s = String(value).padStart(8, '0');
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** "2024-01-31" → 20240131, or null when the text is not a real calendar date in ISO form. */
export function numberFromIso(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return year * 10000 + month * 100 + day;
}

/** 202401 → "2024-01". */
export function isoPeriod(period: number): string {
  return `${Math.floor(period / 100)}-${String(period % 100).padStart(2, '0')}`;
}

/** The payroll period (YYYYMM) a YYYYMMDD date falls in. */
export function periodOf(date: number): number {
  return Math.floor(date / 100);
}

/** Whole years between a YYYYMMDD birth date and a YYYYMMDD day. */
export function ageOn(birthDate: number, today: number): number {
  const years = Math.floor(today / 10000) - Math.floor(birthDate / 10000);
  return today % 10000 < birthDate % 10000 ? years - 1 : years;
}

/** Today (UTC) as YYYYMMDD. */
export function todayNumber(now: Date = new Date()): number {
  return now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate();
}
