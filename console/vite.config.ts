/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build ships inside the brokerplex-server wheel: `brokerplex serve` serves this folder at `/`.
const OUT_DIR = "../server/src/brokerplex_server/console_dist";
// `npm run dev` talks to a running `brokerplex serve` (BROKERPLEX_API, default the serve default port).
const API = process.env.BROKERPLEX_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: OUT_DIR, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    proxy: { "/api": { target: API, ws: true, changeOrigin: false } },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});
