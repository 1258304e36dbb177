// Vitest: each DOM test starts from an empty document; Mantine asks matchMedia, which happy-dom leaves out.
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

window.matchMedia ??= ((query: string) => ({
  matches: false, media: query, onchange: null, addListener: () => undefined, removeListener: () => undefined,
  addEventListener: () => undefined, removeEventListener: () => undefined, dispatchEvent: () => false,
})) as unknown as typeof window.matchMedia;

afterEach(() => cleanup());
