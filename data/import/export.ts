import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { isoFromNumber } from '../../lib/dates';
import { loadCommunes } from '../reference';
import { Random } from '../random';
import { csvLine } from './csv';
import {
  DISABILITY_DEGREES, DOCUMENT_STATUSES, FONASA_BRACKETS, INDIGENOUS_PEOPLES, INSURERS, REGISTERS,
  type RegisterName, type SqlValue,
} from './registers';

/**
 * Writers of monthly files in the import format (data/import/README.md):
 * - exportSnapshot: the current content of a cache table, as the institution would send it. Ops
 *   use it to hand an institution the register as the ministry holds it (to diff against theirs),
 *   tests to build realistic files from a generated register.
 * - writeSampleFile: N synthetic valid rows, for throughput measurements at any size.
 */

const FLUSH_BYTES = 1 << 20;

/** Buffered synchronous line writer: memory stays bounded whatever the number of rows. */
class LineWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private bytes = 0;

  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  line(text: string): void {
    this.buffer.push(text, '\n');
    this.bytes += text.length + 1;
    if (this.bytes >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    fs.writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.bytes = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Writes the rows of `register`'s cache table to `file` (header first, key order); returns the row count. */
export function exportSnapshot(db: Database.Database, register: RegisterName, file: string): number {
  const spec = REGISTERS[register];
  const columns = [...spec.key, ...spec.data].map((column) => column.name);
  const writer = new LineWriter(file);
  let rows = 0;
  try {
    writer.line(spec.fileColumns.join(','));
    const select = db.prepare(`SELECT ${columns.join(', ')} FROM main.${spec.table} ORDER BY ${spec.key.map((c) => c.name).join(', ')}`).raw();
    for (const row of select.iterate() as IterableIterator<SqlValue[]>) {
      writer.line(csvLine(spec.format(row)));
      rows++;
    }
  } finally {
    writer.close();
  }
  return rows;
}

export interface SampleOptions {
  rows: number;
  /** Snapshot date YYYYMMDD: every date in the file is on or before it (civil expiry excepted). */
  asOf: number;
  seed?: number;
}

/**
 * Writes `rows` synthetic, valid rows of `register` with distinct RUNs (increasing bodies from
 * 1,000,000 with random gaps), written in the dotted form "1.234.567-8" half of the time.
 */
export function writeSampleFile(register: RegisterName, file: string, options: SampleOptions): number {
  const spec = REGISTERS[register];
  const rng = new Random(options.seed ?? 1);
  const communes = loadCommunes().map((commune) => commune.code);
  const asOfYear = Math.floor(options.asOf / 10000);
  const date = (fromYear: number, toYear: number): number => {
    const year = rng.int(fromYear, toYear);
    const value = year * 10000 + rng.int(1, 12) * 100 + rng.int(1, 28);
    return Math.min(value, options.asOf);
  };
  const writer = new LineWriter(file);
  let body = 1_000_000;
  try {
    writer.line(spec.fileColumns.join(','));
    for (let i = 0; i < options.rows; i++) {
      body += rng.int(1, 60);
      let row: SqlValue[];
      switch (register) {
        case 'civil':
          row = [body, String(100_000_000 + ((i * 282_475_249) % 900_000_000)), rng.pick(DOCUMENT_STATUSES), date(asOfYear - 5, asOfYear + 10)];
          break;
        case 'disability':
          row = [body, rng.pick(DISABILITY_DEGREES), date(1995, asOfYear)];
          break;
        case 'indigenous':
          row = [body, rng.pick(INDIGENOUS_PEOPLES), date(1994, asOfYear)];
          break;
        case 'health': {
          const insurer = rng.pick(INSURERS);
          row = [body, insurer, insurer === 'FONASA' ? rng.pick(FONASA_BRACKETS) : null];
          break;
        }
        case 'street':
          row = [body, date(2010, asOfYear), rng.pick(communes)];
          break;
        case 'emergency':
          row = [body, 'Sistema frontal junio 2023', 20230623, rng.pick(communes)];
          break;
      }
      const fields = spec.format(row);
      if (i % 2 === 1) fields[0] = dotted(fields[0]);
      writer.line(csvLine(fields));
    }
  } finally {
    writer.close();
  }
  return options.rows;
}

/** "12345678-5" → "12.345.678-5". */
function dotted(run: string): string {
  const [digits, check] = run.split('-');
  return `${digits.replace(/\B(?=(\d{3})+$)/g, '.')}-${check}`;
}

/** The conventional file name of a snapshot: "disability_2025-11-30.csv". */
export function snapshotFileName(register: RegisterName, asOf: number): string {
  return `${register}_${isoFromNumber(asOf)}.csv`;
}
