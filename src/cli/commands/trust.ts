import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTUF } from '@sigstore/tuf';
import type { Command } from 'commander';
import { toUtcTimestamp } from '../../encoding/rfc3339.js';
import { asVouchError, VouchError } from '../../errors.js';
import { loadPolicyFile } from '../../sources/policy-file.js';
import { publicGoodRoot } from '../../trust/public-good.js';
import { parseTrustedRoot, type TrustRoot } from '../../trust/trusted-root.js';
import type { Wrap } from '../action.js';
import { readInput, writeFileAtomic } from '../files.js';
import { EXIT_OK, type Io } from '../output.js';

// A TUF refresh that has not finished by then is abandoned (fail closed: the old root stays).
const TUF_TIMEOUT_MS = 30_000;

export function registerTrust(trust: Command, io: Io, wrap: Wrap): void {
  trust
    .command('show')
    .description('list the trusted roots in use (the shipped public-good root by default)')
    .option('--policy <file>', 'the roots a policy’s authorities use')
    .option('--trusted-root <file>', 'a trusted_root.json file')
    .option('--output <format>', 'text or json', 'text')
    .action(
      wrap((opts: { policy?: string; trustedRoot?: string; output: string }) => {
        if (opts.output !== 'text' && opts.output !== 'json') {
          throw new VouchError('USAGE', `--output must be text or json, not ${opts.output}`);
        }
        const roots = rootsInUse(opts);
        io.out(
          opts.output === 'json'
            ? `${JSON.stringify(roots.map(rootJson), null, 2)}\n`
            : roots.map(rootText).join('\n'),
        );
        return EXIT_OK;
      }),
    );

  trust
    .command('update')
    .description('refresh a trusted root through a TUF repository and write it to a file')
    .requiredOption(
      '--tuf-url <url>',
      'the TUF repository (https://tuf-repo-cdn.sigstore.dev for public good)',
    )
    .option(
      '--tuf-root <file>',
      'the TUF root.json to start from (needed for a repository Vouch has no seed for)',
    )
    .requiredOption('--out <file>', 'where to write trusted_root.json (replaced atomically)')
    .action(
      wrap(async (opts: { tufUrl: string; tufRoot?: string; out: string }) => {
        const text = await fetchTrustedRoot(opts.tufUrl, opts.tufRoot);
        // Written only once it validates as Vouch reads it: a refresh never breaks the old root.
        const root = parseTrustedRoot(text, opts.tufUrl);
        writeFileAtomic(opts.out, text);
        io.out(`wrote ${opts.out} (${root.digest}) from ${opts.tufUrl}\n`);
        return EXIT_OK;
      }),
    );
}

function rootsInUse(opts: { policy?: string; trustedRoot?: string }): TrustRoot[] {
  if (opts.trustedRoot !== undefined) {
    return [parseTrustedRoot(readInput(opts.trustedRoot), opts.trustedRoot)];
  }
  if (opts.policy === undefined) return [publicGoodRoot()];
  const policy = loadPolicyFile(opts.policy);
  const byDigest = new Map<string, TrustRoot>();
  for (const authority of policy.authorities) {
    if (authority.trustedRoot !== undefined)
      byDigest.set(authority.trustedRoot.digest, authority.trustedRoot);
  }
  return [...byDigest.values()];
}

function rootJson(root: TrustRoot): Record<string, unknown> {
  return {
    source: root.source,
    digest: root.digest,
    members: root.members.map((m) => ({
      kind: m.kind,
      url: m.url,
      validFrom: toUtcTimestamp(m.validity.start),
      validUntil: m.validity.end === undefined ? null : toUtcTimestamp(m.validity.end),
    })),
  };
}

const KIND_LABELS = {
  tlog: 'transparency log',
  ctlog: 'CT log',
  ca: 'Fulcio CA',
  tsa: 'timestamp authority',
} as const;

function rootText(root: TrustRoot): string {
  const lines = [`${printable(root.source)} ${root.digest}`];
  for (const m of root.members) {
    const until = m.validity.end === undefined ? 'open' : toUtcTimestamp(m.validity.end);
    lines.push(
      `  ${KIND_LABELS[m.kind].padEnd(19)} ${printable(m.url) || '(no url)'}  ${toUtcTimestamp(m.validity.start)} .. ${until}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A root file's URLs reach the terminal: control characters are shown as '?'. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** The trusted_root.json target of a TUF repository, through @sigstore/tuf (TUF client workflow). */
async function fetchTrustedRoot(mirrorURL: string, tufRoot: string | undefined): Promise<string> {
  let url: URL;
  try {
    url = new URL(mirrorURL);
  } catch {
    throw new VouchError('USAGE', `--tuf-url ${mirrorURL} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new VouchError('USAGE', `--tuf-url must be http(s), not ${url.protocol}`);
  }
  // A fresh cache each time: the seed (or --tuf-root) is the only state trusted.
  const cachePath = mkdtempSync(join(tmpdir(), 'vouch-tuf-'));
  try {
    const client = await initTUF({
      mirrorURL: mirrorURL.replace(/\/$/, ''),
      cachePath,
      forceInit: true,
      timeout: TUF_TIMEOUT_MS,
      retry: false,
      ...(tufRoot === undefined ? {} : { rootPath: tufRoot }),
    });
    // The target's own bytes, verified against its TUF hashes: written as they are.
    return await client.getTarget('trusted_root.json');
  } catch (err) {
    if (err instanceof VouchError) throw err;
    throw new VouchError('TUF_UPDATE_FAILED', `${mirrorURL}: ${asVouchError(err).message}`, {
      cause: err,
      hint:
        tufRoot === undefined && mirrorURL !== DEFAULT_TUF
          ? 'pass --tuf-root with the repository’s root.json'
          : 'check the URL and the network',
    });
  } finally {
    rmSync(cachePath, { recursive: true, force: true });
  }
}

const DEFAULT_TUF = 'https://tuf-repo-cdn.sigstore.dev';
