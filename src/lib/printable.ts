// Text from the data (branch codes) on a terminal line or in a log.

/**
 * A code for a terminal line or a log: JSON-quoted, with every control, format
 * (zero-width, bidi override) and separator character as \uXXXX, so a code can
 * neither drive the terminal nor hide or reorder text around it.
 */
export function printableCode(code: string): string {
  return JSON.stringify(code).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0\u3000\u2000-\u200a\ufffe\uffff]/gu, (c) =>
    c.split('').map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  );
}
