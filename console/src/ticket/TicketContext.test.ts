import { describe, expect, it } from "vitest";
import { sideOfKey } from "./TicketContext";

const key = (value: string, modifiers: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
  ({ key: value, ctrlKey: false, metaKey: false, altKey: false, ...modifiers });

describe("the ticket's keys", () => {
  it("buys on B, F1 or +, sells on S, F2 or -", () => {
    expect(["b", "B", "F1", "+"].map((value) => sideOfKey(key(value)))).toEqual(["BUY", "BUY", "BUY", "BUY"]);
    expect(["s", "S", "F2", "-"].map((value) => sideOfKey(key(value)))).toEqual(["SELL", "SELL", "SELL", "SELL"]);
  });

  it("leaves other keys and the browser's shortcuts alone", () => {
    expect(sideOfKey(key("x"))).toBeNull();
    expect(sideOfKey(key("s", { ctrlKey: true }))).toBeNull(); // Ctrl+S saves the page
    expect(sideOfKey(key("b", { metaKey: true }))).toBeNull();
  });
});
