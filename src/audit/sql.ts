// SQL quoting for the audit's own queries (the audit shares no code with the engine: see inputs.ts).
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
