/** The option's value, or `fallback` when it is not given; a TypeError naming it otherwise. */
export function positiveInteger(
  store: string,
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`${store} option ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
