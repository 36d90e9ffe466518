import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../support/built-cli.js';
import { REPO, vector, vectorJson } from '../support/paths.js';

const run = promisify(execFile);
const CLIENT = join(REPO, 'conformance', 'sigstore-client');

interface ConformanceCase {
  readonly name: string;
  readonly expect: 'pass' | 'fail';
  readonly bundle: string;
  readonly artifact: string;
  readonly artifactSha256: string;
  readonly mode: 'identity' | 'key';
  readonly identity: string;
  readonly issuer: string;
  readonly trustedRoot: string;
}

const SUITE = 'sigstore-conformance';
const { cases } = vectorJson<{ cases: ConformanceCase[] }>(SUITE, 'cases.json');
const at = (path: string): string => vector(SUITE, path);

/**
 * Cases Vouch does not decide as upstream expects, each with why. Empty: all 70 pass both
 * ways. (@sigstore/verify 3.1.1 fails two: rekor2-dsse-happy-path, fixed here by checking a
 * Rekor v2 hashedrekord entry of a DSSE bundle against SHA-256 of the PAE; and
 * trust-root-tlog-missing-validity-start_fail, rejected here because a trusted root whose log
 * key has no validity start is refused when it is loaded.)
 */
const SKIPPED: ReadonlyMap<string, string> = new Map();

type Mode = 'path' | 'digest';

/** The protocol's argument order (docs/cli_protocol.md, verify-bundle). */
function argsOf(c: ConformanceCase, mode: Mode): string[] {
  const signer =
    c.mode === 'key'
      ? ['--key', at(c.bundle.replace(/bundle\.sigstore\.json$/, 'key.pub'))]
      : ['--certificate-identity', c.identity, '--certificate-oidc-issuer', c.issuer];
  const input = mode === 'path' ? at(c.artifact) : `sha256:${c.artifactSha256}`;
  return [
    'verify-bundle',
    '--bundle',
    at(c.bundle),
    ...signer,
    '--trusted-root',
    at(c.trustedRoot),
    input,
  ];
}

async function outcome(
  c: ConformanceCase,
  mode: Mode,
): Promise<{ result: 'pass' | 'fail'; stderr: string }> {
  try {
    await run(process.execPath, [CLIENT, ...argsOf(c, mode)]);
    return { result: 'pass', stderr: '' };
  } catch (err) {
    const { code, stderr } = err as { code?: unknown; stderr?: string };
    // Exit 1 is "not verified"; anything else (usage, a crash) is a defect of the client.
    if (code !== 1) throw new Error(`${c.name} (${mode}): exit ${String(code)}: ${stderr ?? ''}`);
    return { result: 'fail', stderr: stderr ?? '' };
  }
}

describe('sigstore-conformance bundle verification through conformance/sigstore-client', () => {
  const results = new Map<string, { result: 'pass' | 'fail'; stderr: string }>();

  beforeAll(async () => {
    assertBuilt();
    const jobs = cases.flatMap((c) => (['path', 'digest'] as const).map((mode) => ({ c, mode })));
    // Two at a time: the machine is shared.
    for (let i = 0; i < jobs.length; i += 2) {
      await Promise.all(
        jobs.slice(i, i + 2).map(async ({ c, mode }) => {
          results.set(`${c.name} ${mode}`, await outcome(c, mode));
        }),
      );
    }
  }, 900_000);

  it('has the 70 upstream cases', () => {
    expect(cases).toHaveLength(70);
  });

  it('accepts no must-fail case, in either mode', () => {
    const accepted = cases
      .filter((c) => c.expect === 'fail')
      .flatMap((c) =>
        (['path', 'digest'] as const)
          .filter((m) => results.get(`${c.name} ${m}`)?.result === 'pass')
          .map((m) => `${c.name} ${m}`),
      );
    expect(accepted).toEqual([]);
  });

  it('decides at least 68 of 70 cases as upstream expects, both ways', () => {
    const agreed = cases.filter((c) =>
      (['path', 'digest'] as const).every(
        (m) => results.get(`${c.name} ${m}`)?.result === c.expect,
      ),
    );
    expect(agreed.length).toBeGreaterThanOrEqual(68);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    it.each(['path', 'digest'] as const)(`is decided ${c.expect} (%s)`, (mode) => {
      const got = results.get(`${name} ${mode}`);
      if (SKIPPED.has(name)) {
        expect(got?.result, SKIPPED.get(name)).not.toBe(c.expect);
        return;
      }
      expect(got?.result, got?.stderr).toBe(c.expect);
    });
  });

  it('explains each must-fail case with a Vouch error code on stderr', () => {
    for (const c of cases.filter((x) => x.expect === 'fail')) {
      expect(results.get(`${c.name} path`)?.stderr, c.name).toMatch(/sigstore-client: [A-Z_]+/);
    }
  });
});
