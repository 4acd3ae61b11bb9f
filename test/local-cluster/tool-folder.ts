import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A folder to use as the whole of `PATH`, holding an executable named after each of `tools`.
 * The command only looks for them before it runs anything; each exits 99 if it is ever run, so
 * a test that expected nothing to run sees it.
 */
export function toolFolder(tools: readonly string[]): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'local-cluster-path-'));
  for (const tool of tools) {
    const file = path.join(folder, tool);
    writeFileSync(file, '#!/bin/sh\nexit 99\n');
    chmodSync(file, 0o755);
  }
  return folder;
}
