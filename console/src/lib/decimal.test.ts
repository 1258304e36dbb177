import { describe, expect, it } from "vitest";
import { decimalText, isMultipleOf, parseDecimal, times } from "./decimal";

describe("exact decimals", () => {
  it("parses text and gives it back", () => {
    expect(decimalText(parseDecimal("2450.05")!)).toBe("2450.05");
    expect(decimalText(parseDecimal("-0.0025")!)).toBe("-0.0025");
    expect(decimalText(parseDecimal("12")!, 2)).toBe("12.00");
    expect(parseDecimal("1e3")).toBeNull();
    expect(parseDecimal("")).toBeNull();
    expect(parseDecimal(".")).toBeNull();
  });

  it("checks tick multiples without binary float error", () => {
    // 0.1 + 0.2 style: 0.3 / 0.1 is not 3 in floats, but is exactly here
    expect(isMultipleOf(parseDecimal("0.3")!, parseDecimal("0.1")!)).toBe(true);
    expect(isMultipleOf(parseDecimal("2450.05")!, parseDecimal("0.05")!)).toBe(true);
    expect(isMultipleOf(parseDecimal("2450.03")!, parseDecimal("0.05")!)).toBe(false);
    expect(isMultipleOf(parseDecimal("83.2525")!, parseDecimal("0.0025")!)).toBe(true);
  });

  it("multiplies by a quantity exactly", () => {
    expect(decimalText(times(parseDecimal("2450.05")!, 3), 2)).toBe("7350.15");
  });
});
