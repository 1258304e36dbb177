import { describe, expect, it } from "vitest";
import { changePercent, formatAmount, formatIstDateTime, formatIstTime, formatPercent, formatQuantity, formatSigned, groupIndian } from "./format";

describe("Indian grouping", () => {
  it("groups the last three digits, then pairs", () => {
    expect(groupIndian("123")).toBe("123");
    expect(groupIndian("1234")).toBe("1,234");
    expect(groupIndian("123456")).toBe("1,23,456");
    expect(groupIndian("1234567890")).toBe("1,23,45,67,890");
  });

  it("formats API money text exactly, with the places asked", () => {
    expect(formatAmount("123456.5")).toBe("1,23,456.50");
    expect(formatAmount("2450.055")).toBe("2,450.06");
    expect(formatAmount("999.995")).toBe("1,000.00");
    expect(formatAmount("-1234567.1")).toBe("-12,34,567.10");
    expect(formatAmount("83.2525", 4)).toBe("83.2525");
    expect(formatAmount("-0.001")).toBe("0.00");
    expect(formatAmount(null)).toBe("—");
  });

  it("formats numbers, quantities, signs and percentages", () => {
    expect(formatAmount(1234.5)).toBe("1,234.50");
    expect(formatQuantity(1500000)).toBe("15,00,000");
    expect(formatSigned("1500")).toBe("+1,500.00");
    expect(formatSigned("-1500")).toBe("-1,500.00");
    expect(formatSigned("0")).toBe("0.00");
    expect(formatPercent(changePercent(105, 100))).toBe("+5.00%");
    expect(formatPercent(changePercent(95, 100))).toBe("-5.00%");
    expect(changePercent(95, null)).toBeNull();
  });
});

describe("IST times", () => {
  it("shows a UTC instant on the IST clock", () => {
    expect(formatIstTime("2026-12-01T03:45:09Z")).toBe("09:15:09");
    expect(formatIstTime("2026-12-01T09:15:09+05:30")).toBe("09:15:09");
    expect(formatIstDateTime("2026-12-01T18:30:00Z")).toMatch(/^02 Dec 2026, 00:00:00 IST$/);
    expect(formatIstTime("not a time")).toBe("—");
  });
});
