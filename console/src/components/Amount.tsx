import { formatAmount, formatSigned } from "../lib/format";

/** Money in a table cell: Indian grouping; signed and coloured for P&L (no colour for what shows as zero). */
export function Amount({ value, signed = false, label }: { value: string | number | null | undefined; signed?: boolean; label?: string }) {
  const text = signed ? formatSigned(value) : formatAmount(value);
  const zero = /^[-+]?[0.,]+$/.test(text);
  const tone = signed && !zero && text !== "—" ? (text.startsWith("-") ? "down" : "up") : "";
  return <span className={`num ${tone}`} aria-label={label}>{text}</span>;
}
