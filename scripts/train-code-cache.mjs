// Makes dist/bin/vouch.code-cache (bin/cli-loader.js): compiles the CLI bundle from source, runs
// the commands a CI gate runs most, in this process, on a scenario in a temporary directory, and
// saves the bytecode V8 compiled meanwhile. scripts/build.mjs runs it as a child process without
// NODE_OPTIONS, so that the V8 flags match those of a plain `node bin/vouch.js`; a user's
// V8 with other flags or another version ignores the cache (the CLI is then only slower).
// Each command must give its expected exit code: the build also proves the bundle runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_CACHE, loadCli } from '../bin/cli-loader.js';

const TEST_RESULT = 'https://example.com/test-result/v1';

const POLICY = `apiVersion: vouch/v1
kind: Policy
metadata: {name: code-cache}
spec:
  authorities:
    builder: {keys: [{file: builder.pub}]}
  requirements:
    - name: tests
      predicateType: ${TEST_RESULT}
      signers: [builder]
      maxAge: 168h
      timestampPath: finishedAt
      condition: predicate.passed == true && predicate.failures == 0
`;

const { main, script } = loadCli({ useCache: false });
const dir = mkdtempSync(join(tmpdir(), 'vouch-code-cache-'));
try {
  const silent = { out() {}, err() {}, env: {} };
  const run = async (expected, ...args) => {
    let said = '';
    const io = { ...silent, out: (text) => (said += text), err: (text) => (said += text) };
    const code = await main(['node', 'vouch', ...args], io);
    if (code !== expected) {
      throw new Error(`vouch ${args.join(' ')}: exit ${code}, not ${expected}: ${said}`);
    }
  };
  const at = (name) => join(dir, name);
  writeFileSync(at('app.bin'), 'the artifact\n');
  writeFileSync(at('policy.yaml'), POLICY);
  const finishedAt = new Date(Date.now() - 60_000).toISOString();
  writeFileSync(at('passed.json'), JSON.stringify({ passed: true, failures: 0, finishedAt }));
  writeFileSync(at('failed.json'), JSON.stringify({ passed: false, failures: 3, finishedAt }));

  await run(0, '--version');
  await run(0, '--help');
  await run(0, 'help', 'verify');
  await run(2, 'verfy');
  await run(0, 'keygen', '--out', at('builder'));
  for (const outcome of ['passed', 'failed']) {
    await run(
      0,
      'attest',
      '--key',
      at('builder.key'),
      '--subject',
      at('app.bin'),
      '--predicate-type',
      TEST_RESULT,
      '--predicate',
      at(`${outcome}.json`),
      '--out',
      at(`${outcome}.dsse.json`),
    );
  }
  await run(0, 'digest', at('app.bin'));
  await run(0, 'inspect', at('passed.dsse.json'));
  await run(0, 'verify-envelope', '--key', at('builder.pub'), at('passed.dsse.json'));
  await run(0, 'policy', 'lint', at('policy.yaml'));
  for (const output of ['text', 'json']) {
    await run(
      0,
      'verify',
      '--policy',
      at('policy.yaml'),
      '--artifact',
      at('app.bin'),
      '--attestations',
      at('passed.dsse.json'),
      '--output',
      output,
    );
  }
  await run(
    1,
    'verify',
    '--policy',
    at('policy.yaml'),
    '--artifact',
    at('app.bin'),
    '--attestations',
    at('failed.dsse.json'),
  );
  writeFileSync(CODE_CACHE, script.createCachedData());
} finally {
  rmSync(dir, { recursive: true, force: true });
}
