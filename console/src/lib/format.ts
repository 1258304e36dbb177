// How numbers and times read on screen: Indian digit grouping (1,23,456.50) and India Standard Time.
const IST = "Asia/Kolkata";

/** Indian grouping of a plain integer text: the last three digits, then pairs (12,34,56,789). */
export function groupIndian(digits: string): string {
  if (digits.length <= 3) return digits;
  const head = digits.slice(0, -3);
  const pairs = head.replace(/\B(?=(\d{2})+(?!\d))/g, ",");
  return `${pairs},${digits.slice(-3)}`;
}

/** A decimal (text from the API, or a number) with Indian grouping and exactly `places` places. Text is
 * rounded half away from zero in its digits, so "2450.055" shows as 2,450.06 whatever a float would say. */
export function formatAmount(value: string | number | null | undefined, places = 2): string {
  if (value === null || value === undefined || value === "") return "—";
  const text = typeof value === "number" ? numberText(value, places) : value.trim();
  const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign = "", whole = "0", fraction = ""] = match;
  let digits = whole + fraction.padEnd(places, "0").slice(0, places);
  if (fraction.length > places && Number(fraction[places]) >= 5) digits = (BigInt(digits) + 1n).toString().padStart(digits.length, "0");
  const wholePart = digits.slice(0, digits.length - places) || "0";
  const fractionPart = places ? `.${digits.slice(digits.length - places)}` : "";
  const zero = /^0*$/.test(digits);
  return `${sign === "-" && !zero ? "-" : ""}${groupIndian(wholePart.replace(/^0+(?=\d)/, ""))}${fractionPart}`;
}

function numberText(value: number, places: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toFixed(Math.min(20, places + 2));
}

/** A quantity or volume: an integer with Indian grouping. */
export function formatQuantity(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return formatAmount(Math.trunc(value), 0);
}

/** A signed amount (P&L, change): "+1,234.50" or "-1,234.50". */
export function formatSigned(value: string | number | null | undefined, places = 2): string {
  const text = formatAmount(value, places);
  return text === "—" || text.startsWith("-") || /^[0.,]+$/.test(text) ? text : `+${text}`;
}

/** A percentage with two places and its sign. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${formatSigned(value, 2)}%`;
}

/** The change from `previous` to `last` in percent, or null without a previous close. */
export function changePercent(last: number | null, previous: number | null): number | null {
  if (last === null || previous === null || previous === 0) return null;
  return ((last - previous) / previous) * 100;
}

const timeFormat = new Intl.DateTimeFormat("en-IN", {
  timeZone: IST, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});
const dateTimeFormat = new Intl.DateTimeFormat("en-IN", {
  timeZone: IST, day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  second: "2-digit", hourCycle: "h23",
});

function asDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/** 14:05:09 in IST (an ISO time from the API, epoch milliseconds, or a Date). */
export function formatIstTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const date = asDate(value);
  return Number.isNaN(date.getTime()) ? "—" : timeFormat.format(date);
}

/** 01 Dec 2026, 14:05:09 IST. */
export function formatIstDateTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const date = asDate(value);
  return Number.isNaN(date.getTime()) ? "—" : `${dateTimeFormat.format(date)} IST`;
}

/** Seconds since the epoch of a time as the chart wants it: IST wall-clock shown as if it were UTC (the
 * chart has no time zones, and a desk reads IST). */
export function chartTime(value: string | number | Date): number {
  const IST_OFFSET_SECONDS = 5.5 * 3600;
  return Math.floor(asDate(value).getTime() / 1000) + IST_OFFSET_SECONDS;
}
