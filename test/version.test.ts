import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VOUCH_VERSION } from '../src/version.js';
import { REPO } from './support/paths.js';

describe('VOUCH_VERSION', () => {
  it('is the version package.json states', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(VOUCH_VERSION).toBe(pkg.version);
  });
});
