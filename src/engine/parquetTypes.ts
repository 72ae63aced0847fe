// Which Parquet column types (as DuckDB names them) can hold each canonical
// column. A wrong type is a whole-file error naming the column: read as text it
// would either fail every row (a BOOLEAN amount) or pass silently with altered
// values (a DOUBLE id loses digits beyond 2^53 and merges customers).
import type { CanonicalColumn } from '../lib/config.ts';

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const DECIMAL = /^DECIMAL\(\d+,(\d+)\)$/;
const FLOAT = /^(FLOAT|DOUBLE|REAL)$/;

type Kind = 'code' | 'amount' | 'date';

const KIND: Record<CanonicalColumn, Kind> = {
  customer_id: 'code',
  branch: 'code',
  aum: 'amount',
  deposits: 'amount',
  open_date: 'date',
  snapshot_date: 'date',
};

const EXPECTED: Record<Kind, string> = {
  code: 'text (VARCHAR), an integer or a UUID',
  amount: 'a number (integer, DECIMAL, FLOAT or DOUBLE) or text',
  date: 'DATE, TIMESTAMP, text or an integer such as 20250131',
};

function fits(kind: Kind, t: string): boolean {
  if (t === 'VARCHAR' || INTEGER.test(t)) return true;
  if (kind === 'code') return t === 'UUID' || DECIMAL.exec(t)?.[1] === '0';
  if (kind === 'amount') return DECIMAL.test(t) || FLOAT.test(t);
  return t === 'DATE' || t === 'TIMESTAMP' || /^TIMESTAMP_(S|MS|NS)$/.test(t);
}

/** Why a column of type `duckType` cannot be read as `column`, or null when it can. */
export function parquetTypeProblem(column: CanonicalColumn, duckType: string): string | null {
  const kind = KIND[column];
  const t = duckType.toUpperCase();
  return fits(kind, t) ? null : `Parquet type ${duckType} cannot hold ${column}; expected ${EXPECTED[kind]}`;
}
