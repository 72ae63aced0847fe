// Test-side CSV reading, independent of src/exports/csv.ts (which writes the files):
// a strict RFC 4180 parser that throws on malformed quoting, and what a
// spreadsheet-safe text cell should hold.
/** RFC 4180 CSV: fields, quoted fields with "" for a quote, CRLF or LF rows; throws on a malformed quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const s = text.replace(/^\uFEFF/, '');
  while (i < s.length) {
    let field = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new Error('unterminated quoted field');
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += s[i++];
      }
      if (i < s.length && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n') throw new Error(`text after a closing quote at ${i}`);
    } else {
      while (i < s.length && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n') {
        if (s[i] === '"') throw new Error(`quote inside an unquoted field at ${i}`);
        field += s[i++];
      }
    }
    row.push(field);
    if (s[i] === ',') i++;
    else {
      if (s[i] === '\r') i++;
      if (s[i] === '\n') i++;
      rows.push(row);
      row = [];
    }
  }
  if (row.length) rows.push(row);
  return rows;
}

/** What a spreadsheet-safe CSV text cell holds: "'" before = + - @ tab CR. */
export const csvText = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
