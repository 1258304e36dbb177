// The TypeScript types of the API (src/api/schema.ts, not committed) from the committed OpenAPI document
// (openapi.json): run before every build, type check and test, so the types never drift from the document.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

export const consoleDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export async function writeTypes(documentText) {
  const types = await openapiTS(JSON.parse(documentText));
  const header = "// Generated from openapi.json by scripts/generate-types.mjs (npm runs it before a build or test).\n\n";
  const target = join(consoleDir, "src", "api", "schema.ts");
  const text = header + astToString(types);
  // Unchanged types are not rewritten: make rebuilds the console when a file of src/ is newer than the build.
  if (!existsSync(target) || readFileSync(target, "utf8") !== text) writeFileSync(target, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeTypes(readFileSync(join(consoleDir, "openapi.json"), "utf8"));
}
