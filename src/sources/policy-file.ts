import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { VouchError } from '../errors.js';
import { type CompiledPolicy, compilePolicy } from '../policy/compile.js';
import type { ConfigFormat } from '../policy/config-text.js';

/** `.json` is strict JSON; anything else (`.yaml`, `.yml`) is YAML. */
export function configFormatOf(path: string): ConfigFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
}

/** Reads and compiles a policy file; key files are resolved relative to it (DESIGN.md section 5). */
export function loadPolicyFile(path: string): CompiledPolicy {
  return readPolicyFile(path).policy;
}

/** A compiled policy with the exact bytes it was compiled from (what a VSA's policy digest names). */
export interface PolicyFile {
  readonly policy: CompiledPolicy;
  readonly bytes: Buffer;
}

/** Reads a policy file once and compiles those very bytes. */
export function readPolicyFile(path: string): PolicyFile {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read policy ${path}`, {
      cause,
      path,
      hint: 'check the --policy path',
    });
  }
  const base = dirname(path);
  const policy = compilePolicy(
    { name: path, text, format: configFormatOf(path) },
    {
      readKeyFile: (file) => {
        const full = resolve(base, file);
        try {
          return readFileSync(full, 'utf8');
        } catch (cause) {
          throw new VouchError('KEY_UNREADABLE', `cannot read key file ${full}`, {
            cause,
            hint: 'key paths are relative to the policy file',
          });
        }
      },
      readTrustedRoot: (file) => {
        const full = resolve(base, file);
        try {
          return readFileSync(full);
        } catch (cause) {
          throw new VouchError('TRUST_ROOT_INVALID', `cannot read trusted root ${full}`, {
            cause,
            hint: 'trusted root paths are relative to the policy file',
          });
        }
      },
    },
  );
  return { policy, bytes: text };
}
