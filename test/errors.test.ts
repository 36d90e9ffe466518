import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, type ErrorCode, VouchError } from '../src/errors.js';
import { REPO } from './support/paths.js';

// fastify-style: the catalogue and docs/errors.md list exactly the same codes, same kinds.
const rows = readFileSync(join(REPO, 'docs', 'errors.md'), 'utf8')
  .split('\n')
  .map((line) => /^\| `([A-Z0-9_]+)` \| (\w+) \|/.exec(line))
  .filter((m) => m !== null)
  .map((m) => ({ code: m[1] ?? '', kind: m[2] ?? '' }));

describe('error catalogue', () => {
  it('documents every code in docs/errors.md, once, and nothing else', () => {
    const documented = rows.map((r) => r.code);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
  });

  it('documents the same kind the catalogue declares', () => {
    for (const { code, kind } of rows) {
      expect(kind, code).toBe(ERROR_CATALOGUE[code as ErrorCode].kind);
    }
  });

  it('describes an error on one line with code, path and hint', () => {
    const e = new VouchError('BAD_BASE64', 'bad', { path: '$.payload', hint: 'fix it' });
    expect(e.describe()).toBe('BAD_BASE64 at $.payload: bad (fix it)');
    expect(e.kind).toBe('input');
  });
});
