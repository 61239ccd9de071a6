import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Our own package.json, found by walking up from this file: the same code runs from src/ (tests)
 * and from dist/src/ (the built CLI). Read once at start-up, never per request.
 */
function readManifest(): { name: string; version: string } {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, 'package.json');
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8')) as { name: string; version: string };
    const parent = dirname(folder);
    if (parent === folder) throw new Error('package.json of nano-secure-rpc not found');
    folder = parent;
  }
}

const manifest = readManifest();

export const PRODUCT_NAME = manifest.name;
export const PRODUCT_VERSION = manifest.version;
