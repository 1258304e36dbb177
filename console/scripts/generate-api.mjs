// `npm run api`: the OpenAPI document of the Python app (console/openapi.json, committed: a build needs no
// Python), and the TypeScript types made from it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleDir, writeTypes } from "./generate-types.mjs";

const python = process.env.BROKERPLEX_PYTHON ?? join(consoleDir, "..", ".venv", "bin", "python");
const program = [
  "import json",
  "from brokerplex_server.app import create_app",
  "from brokerplex_server.config import ServerConfig",
  "print(json.dumps(create_app(ServerConfig.from_environment()).openapi(), indent=1, sort_keys=True))",
].join("\n");

// A throwaway home: making the app reads nothing from it, but the config wants one.
const home = mkdtempSync(join(tmpdir(), "brokerplex-api-"));
let documentText;
try {
  documentText = execFileSync(python, ["-c", program], {
    env: { ...process.env, BROKERPLEX_HOME: home },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
} finally {
  rmSync(home, { recursive: true, force: true });
}
writeFileSync(join(consoleDir, "openapi.json"), documentText);
await writeTypes(documentText);
console.log("wrote openapi.json and src/api/schema.ts");
