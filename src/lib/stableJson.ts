// Output bytes must depend on the inputs alone: objects are built with a fixed
// key order, so plain JSON.stringify is stable; -0 is folded so it cannot
// differ between equivalent runs.
export function stableJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (Object.is(v, -0) ? 0 : v), 1)}\n`;
}
