import { formatAmount, formatSigned } from "../lib/format";

/** Money in a table cell: Indian grouping; signed and coloured for P&L. */
export function Amount({ value, signed = false, label }: { value: string | number | null | undefined; signed?: boolean; label?: string }) {
  const number = typeof value === "number" ? value : Number(value);
  const tone = signed && Number.isFinite(number) && number !== 0 ? (number > 0 ? "up" : "down") : "";
  return <span className={`num ${tone}`} aria-label={label}>{signed ? formatSigned(value) : formatAmount(value)}</span>;
}
