/**
 * The CSV dialect of the monthly register files: comma-separated, one record per line (no line
 * breaks inside fields), fields optionally double-quoted with "" for a quote inside. Quoting is
 * needed only for fields holding a comma or a quote (event names may).
 */

/** Splits one line into its fields. An unterminated quote keeps the rest of the line as the field. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/** One field as written to a file: quoted only when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole line (without the line break). */
export function csvLine(values: readonly (string | number | null)[]): string {
  return values.map(csvField).join(',');
}
