import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../support/built-cli.js';
import { REPO } from '../support/paths.js';
import { tempDir } from '../support/temp-dir.js';

// The package as a user gets it: `npm pack` (what a publish or a tarball install ships),
// installed into a fresh directory, its CLI run and its entry points imported by name.

interface PackageJson {
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
}

interface LockEntry {
  dev?: boolean;
}

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function npm(cwd: string, ...args: string[]): string {
  return execFileSync(NPM, [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Installs the tarball offline: a lock file names every runtime dependency with the version and
 * integrity the repository's lock records, so npm takes them from its cache (filled by the
 * `npm ci` that set up this checkout) and never asks a registry.
 */
function installOffline(project: string, tarball: string): void {
  const repoLock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'vouch-user', dependencies: { vouch: spec } },
    'node_modules/vouch': {
      version: pkg.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512')
        .update(readFileSync(join(project, tarball)))
        .digest('base64')}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path !== '' && entry.dev !== true) packages[path] = entry;
  }
  const manifest = {
    name: 'vouch-user',
    private: true,
    type: 'module',
    dependencies: { vouch: spec },
  };
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest));
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify({ name: 'vouch-user', lockfileVersion: 3, requires: true, packages }),
  );
  npm(project, 'ci', '--offline');
}

const POLICY = `apiVersion: vouch/v1
kind: Policy
metadata: {name: packaged}
spec:
  authorities:
    builder: {keys: [{file: builder.pub}]}
  requirements:
    - name: tested
      predicateType: https://example.com/test-result/v1
      signers: [builder]
      condition: predicate.passed == true
`;

// Uses both entry points the way a tool embedding Vouch would.
const LIBRARY_USER = `import * as vouch from 'vouch';
import { loadPolicyFile, localSource, verify } from 'vouch/node';

const policy = loadPolicyFile('policy.yaml');
const sources = [localSource(['att.json'])];
const { decision } = await verify({ policy, artifact: 'app.bin', sources, at: new Date() });
console.log(JSON.stringify({ allowed: decision.allowed, version: vouch.VOUCH_VERSION, exports: Object.keys(vouch) }));
`;

const TYPED_USER = `import { compilePolicy, type Decision, evaluatePolicy } from 'vouch';
import { loadPolicyFile, type SourceDocument } from 'vouch/node';

export const run = (documents: readonly SourceDocument[]): Decision =>
  evaluatePolicy(loadPolicyFile('policy.yaml'), {
    artifact: { digest: { sha256: '0'.repeat(64) } },
    documents,
    at: new Date(),
  });
export const compile = compilePolicy;
`;

describe('the npm package', () => {
  let files: string[] = [];
  let project = '';
  let vouchBin = '';
  const vouch = (...args: string[]) =>
    spawnSync(process.execPath, [vouchBin, ...args], { cwd: project, encoding: 'utf8' });

  beforeAll(() => {
    assertBuilt();
    project = tempDir('vouch-package-');
    // --ignore-scripts: the build under test is the one `npm test` just made.
    const packed = JSON.parse(
      npm(REPO, 'pack', '--json', '--ignore-scripts', '--pack-destination', project),
    ) as { filename: string; files: { path: string }[] }[];
    const [tarball] = packed;
    if (tarball === undefined) throw new Error('npm pack made no tarball');
    files = tarball.files.map((f) => f.path);
    installOffline(project, tarball.filename);
    vouchBin = join(project, 'node_modules', 'vouch', 'bin', 'vouch.js');
  }, 180_000);

  it('ships bin, dist, docs, LICENSE and README, and no sources, tests, bench or demo', () => {
    for (const path of [
      'bin/vouch.js',
      'bin/cli-loader.js',
      'dist/bin/vouch.cjs',
      'dist/bin/vouch.code-cache',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/node.js',
      'dist/node.d.ts',
      'docs/policy.md',
      'LICENSE',
      'README.md',
      'package.json',
    ]) {
      expect(files).toContain(path);
    }
    // The one file under src/ is package data: the shipped Sigstore public-good trusted root.
    expect(files).toContain('src/trust/public-good/trusted_root.json');
    const stray = files.filter(
      (f) =>
        /^(src|test|bench|scripts|\.ci|dist\/demo)\//.test(f) &&
        f !== 'src/trust/public-good/trusted_root.json',
    );
    expect(stray).toEqual([]);
  });

  it('installs a vouch command that prints the package version', () => {
    const result = vouch('--version');
    expect(result.stdout).toBe(`${pkg.version}\n`);
    expect(result.status).toBe(0);
  });

  it('verifies a signed attestation with the installed command, and denies a changed artifact', () => {
    writeFileSync(join(project, 'app.bin'), 'the packaged app\n');
    writeFileSync(join(project, 'predicate.json'), '{"passed": true}');
    writeFileSync(join(project, 'policy.yaml'), POLICY);
    expect(vouch('keygen', '--out', 'builder').status).toBe(0);
    const attest = vouch(
      'attest',
      '--subject',
      'app.bin',
      '--predicate-type',
      'https://example.com/test-result/v1',
      '--predicate',
      'predicate.json',
      '--key',
      'builder.key',
      '--out',
      'att.json',
    );
    expect(attest.stderr).toMatch(/^wrote att\.json/);
    const verify = ['verify', '--policy', 'policy.yaml', '--attestations', 'att.json'];
    const allowed = vouch(...verify, '--artifact', 'app.bin');
    expect(allowed.stdout).toMatch(/^ALLOWED: app\.bin sha256:/);
    expect(allowed.status).toBe(0);
    writeFileSync(join(project, 'other.bin'), 'another app\n');
    expect(vouch(...verify, '--artifact', 'other.bin').status).toBe(1);
  });

  it('is importable by name as vouch and vouch/node, with a curated API', () => {
    writeFileSync(join(project, 'library-user.mjs'), LIBRARY_USER);
    const run = spawnSync(process.execPath, ['library-user.mjs'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { allowed: boolean; version: string; exports: string[] };
    expect(out.allowed).toBe(true);
    expect(out.version).toBe(pkg.version);
    expect(out.exports).toEqual(
      expect.arrayContaining(['compilePolicy', 'evaluatePolicy', 'signStatement', 'VouchError']),
    );
    // Internals stay internal: encoding helpers, PAE, file loaders (those are vouch/node).
    for (const internal of ['pae', 'parseStrictJson', 'decodeBase64Strict', 'loadPolicyFile']) {
      expect(out.exports).not.toContain(internal);
    }
  });

  it('has types for both entry points (TypeScript, NodeNext resolution)', () => {
    writeFileSync(join(project, 'typed-user.ts'), TYPED_USER);
    const tsc = spawnSync(
      process.execPath,
      [
        join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--skipLibCheck',
        '--types',
        'node',
        '--typeRoots',
        join(REPO, 'node_modules', '@types'),
        'typed-user.ts',
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(tsc.stdout).toBe('');
    expect(tsc.status).toBe(0);
  });
});
