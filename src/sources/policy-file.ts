import { dirname, extname, resolve } from 'node:path';
import { VouchError } from '../errors.js';
import { type CompiledPolicy, compilePolicy } from '../policy/compile.js';
import type { ConfigFormat } from '../policy/config-text.js';
import { readFileBounded } from './bounded-read.js';

// Far above any real policy (the compiler refuses more than 1 MiB) or key file; they only stop
// a path such as /dev/zero from filling memory before the compiler sees the size.
const MAX_POLICY_READ = 16 * 1024 * 1024;
const MAX_KEY_FILE = 1024 * 1024;
// The public-good trusted_root.json is about 10 KiB; a root with many keys stays far below.
const MAX_TRUSTED_ROOT = 4 * 1024 * 1024;

/** `.json` is strict JSON; anything else (`.yaml`, `.yml`) is YAML. */
export function configFormatOf(path: string): ConfigFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
}

/** Reads and compiles a policy file; key files are resolved relative to it (DESIGN.md section 5). */
export function loadPolicyFile(path: string): CompiledPolicy {
  return readPolicyFile(path).policy;
}

/** A compiled policy with the exact bytes it was compiled from. */
export interface PolicyFile {
  readonly policy: CompiledPolicy;
  readonly bytes: Buffer;
  /** The key files it names, resolved (what a server watches for changes). */
  readonly keyFiles: readonly string[];
}

/** Reads a policy file once and compiles those very bytes. */
export function readPolicyFile(path: string): PolicyFile {
  const text = readFileBounded(path, MAX_POLICY_READ, `policy ${path}`, 'policy');
  const base = dirname(path);
  const keyFiles: string[] = [];
  const policy = compilePolicy(
    { name: path, text, format: configFormatOf(path) },
    {
      readKeyFile: (file) => {
        const full = resolve(base, file);
        keyFiles.push(full);
        try {
          return readFileBounded(full, MAX_KEY_FILE, `key file ${full}`).toString('utf8');
        } catch (cause) {
          throw new VouchError('KEY_UNREADABLE', `cannot read key file ${full}`, {
            cause,
            hint: 'key paths are relative to the policy file',
          });
        }
      },
      readTrustedRoot: (file) => {
        const full = resolve(base, file);
        keyFiles.push(full);
        try {
          return readFileBounded(full, MAX_TRUSTED_ROOT, `trusted root ${full}`);
        } catch (cause) {
          throw new VouchError('TRUST_ROOT_INVALID', `cannot read trusted root ${full}`, {
            cause,
            hint: 'trusted root paths are relative to the policy file',
          });
        }
      },
    },
  );
  return { policy, bytes: text, keyFiles };
}
