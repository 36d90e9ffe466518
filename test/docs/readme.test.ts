import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/paths.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('README.md', () => {
  it('keeps the quick start to the two commands CI and newcomers run', () => {
    const block = /## Quick start[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = block
      .trim()
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim());
    expect(commands).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
  });

  it('links the three guides, and every docs/ link points at a file', () => {
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1] ?? '');
    for (const guide of ['docs/builder.md', 'docs/security-reviewer.md', 'docs/policy-author.md']) {
      expect(links).toContain(guide);
    }
    for (const link of links) expect(existsSync(join(REPO, link)), link).toBe(true);
  });
});
