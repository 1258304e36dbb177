// Exact decimals for prices: the API sends money as text ("2450.05") and an order's price must be an
// exact multiple of the tick size (0.05, 0.0025), which binary floats cannot promise. Values are scaled
// integers (bigint) at SCALE places; money never goes through a float on its way to a check.
export const PLACES = 8;
const SCALE = 10n ** BigInt(PLACES);
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** The scaled integer of a decimal text, or null if it is not one (or has more than PLACES places). */
export function parseDecimal(text: string | number): bigint | null {
  const match = DECIMAL_TEXT.exec(String(text).trim());
  if (!match) return null;
  const [, sign = "", whole = "", fraction = ""] = match;
  if (whole === "" && fraction === "") return null;
  if (fraction.length > PLACES) return null;
  const scaled = BigInt(whole || "0") * SCALE + BigInt((fraction || "0").padEnd(PLACES, "0"));
  return sign === "-" ? -scaled : scaled;
}

/** A scaled integer as decimal text with at least `minPlaces` places (trailing zeros beyond trimmed). */
export function decimalText(value: bigint, minPlaces = 0): string {
  const negative = value < 0n;
  const absolute = negative ? -value : value;
  const whole = absolute / SCALE;
  let fraction = (absolute % SCALE).toString().padStart(PLACES, "0").replace(/0+$/, "");
  if (fraction.length < minPlaces) fraction = fraction.padEnd(minPlaces, "0");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

export function isMultipleOf(value: bigint, step: bigint): boolean {
  return step !== 0n && value % step === 0n;
}

/** price × quantity, exactly. */
export function times(value: bigint, quantity: number): bigint {
  return value * BigInt(quantity);
}

/** A decimal text as a number, for charts and sums shown (never for a check or an order). */
export function toNumber(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}
