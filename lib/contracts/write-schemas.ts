/**
 * `npm run schemas`: writes the published JSON Schemas (lib/contracts/published.ts) under
 * lib/contracts/schemas/, and removes files there that no contract produces any more.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedSchemaFiles, SCHEMAS_FOLDER } from './published.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = join(root, SCHEMAS_FOLDER);
const wanted = publishedSchemaFiles();

for (const [file, content] of wanted) {
  mkdirSync(dirname(join(folder, file)), { recursive: true });
  writeFileSync(join(folder, file), content);
}
for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
  const path = relative(folder, join(entry.parentPath, entry.name));
  if (entry.isFile() && !wanted.has(path)) rmSync(join(folder, path));
}
console.log(`wrote ${wanted.size} schemas to ${SCHEMAS_FOLDER}/`);
