import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/bird-image/config.js';
import { birdImageService } from '../../apps/bird-image/service.js';
import { ConfigError } from '../../apps/shared/config.js';
import { runInProcess } from '../support/in-process.js';

// A key file is held to the rule of UNSPLASH_ACCESS_KEY: one line of printable ASCII without
// spaces. A second line used to start fine and then fail every call with "Invalid character in
// header content", the key being sent in the Authorization header.

const folder = mkdtempSync(join(tmpdir(), 'aviary-key-file-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let files = 0;
function keyFile(contents: string): string {
  const path = join(folder, `key-${files++}`);
  writeFileSync(path, contents);
  return path;
}

describe('UNSPLASH_ACCESS_KEY_FILE', () => {
  it.each([
    ['a final newline', 'abc123\n'],
    ['a final CRLF', 'abc123\r\n'],
    ['no newline', 'abc123'],
  ])('reads a key with %s', (_case, contents) => {
    expect(loadConfig({ UNSPLASH_ACCESS_KEY_FILE: keyFile(contents) }).unsplashAccessKey).toBe(
      'abc123',
    );
  });

  it.each([
    ['a newline inside', 'S3CR3T\nsecond'],
    ['two final newlines', 'S3CR3T\n\n'],
    ['a space inside', 'S3C R3T'],
    ['a leading space', ' S3CR3T'],
    ['a tab at the end', 'S3CR3T\t'],
    ['a non-ASCII character', 'S3CRÉT'],
  ])('refuses a key with %s, never quoting it', (_case, contents) => {
    const path = keyFile(contents);
    let refusal: unknown;
    try {
      loadConfig({ UNSPLASH_ACCESS_KEY_FILE: path });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    const message = (refusal as Error).message;
    expect(message).toBe(
      `invalid configuration: the key in UNSPLASH_ACCESS_KEY_FILE=${JSON.stringify(path)} must be printable ASCII without spaces (one line; a final newline is ignored)`,
    );
    expect(message).not.toContain('S3C');
  });

  it('stops birdImage at start with that one line on stderr, exit code 1', async () => {
    const path = keyFile('S3CR3T\nsecond');
    const service = await runInProcess(birdImageService, { UNSPLASH_ACCESS_KEY_FILE: path });
    // runInProcess resolves once the service listens or has exited: it must have exited.
    expect(service.exitCode()).toBe(1);
    expect(service.stderr()).toBe(
      `${birdImageService.name}: invalid configuration: the key in UNSPLASH_ACCESS_KEY_FILE=${JSON.stringify(path)} must be printable ASCII without spaces (one line; a final newline is ignored)\n`,
    );
    expect(service.stdout()).toBe('');
  });
});
