import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { asVouchError, VouchError } from '../errors.js';
import type { CompiledPolicy } from '../policy/compile.js';
import {
  type ConfigIssue,
  type ConfigSource,
  configError,
  parseConfigText,
  validateConfig,
} from '../policy/config-text.js';
import { parseDuration } from '../policy/duration.js';
import { NAME_PATTERN } from '../policy/schema.js';
import { PLATFORM_PATTERN } from '../sources/oci/resolve.js';
import { configFormatOf, readPolicyFile } from '../sources/policy-file.js';
import {
  compileImageGlob,
  countWildcards,
  GLOB_PATTERN,
  type ImageGlob,
  MAX_GLOB_WILDCARDS,
} from './image-glob.js';

export const MODES = ['enforce', 'warn', 'audit'] as const;
export type Mode = (typeof MODES)[number];
export type Platforms = 'index' | 'each' | readonly string[];

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'must be a duration such as 8s, 30s or 4h');
const name = z.string().regex(NAME_PATTERN, 'must be a name: letters, digits, "_", "." and "-"');
const glob = z
  .string()
  .max(512)
  .regex(GLOB_PATTERN, 'must be an image glob such as ghcr.io/acme/** (lowercase, * and **)')
  .refine(
    (g) => countWildcards(g) <= MAX_GLOB_WILDCARDS,
    `at most ${MAX_GLOB_WILDCARDS} wildcards`,
  );
const namespaceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name');
const platform = z.string().regex(PLATFORM_PATTERN, 'must be os/arch[/variant]');

const imagePolicySchema = z.strictObject({
  name,
  images: z.array(glob).min(1),
  namespaces: z
    .strictObject({
      include: z.array(namespaceName).min(1).optional(),
      exclude: z.array(namespaceName).optional(),
      matchLabels: z.record(z.string().min(1).max(317), z.string().max(63)).optional(),
    })
    .optional(),
  policy: z.strictObject({ file: z.string().min(1) }),
  mode: z.enum(MODES).default('enforce'),
  platforms: z.union([z.enum(['index', 'each']), z.array(platform).min(1)]).default('index'),
  breakglass: z.strictObject({ signers: z.array(name).min(1), maxDuration: duration }).optional(),
});

/** The ServerConfig file (DESIGN.md section 11). Unknown fields anywhere are errors. */
export const serverConfigSchema = z.strictObject({
  apiVersion: z.literal('vouch/v1'),
  kind: z.literal('ServerConfig'),
  metadata: z.strictObject({ name: z.string().min(1).max(256) }).optional(),
  spec: z.strictObject({
    listen: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be HOST:PORT')
      .default('0.0.0.0:8443'),
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }),
    deadline: duration.default('8s'),
    unmatchedImages: z.enum(['deny', 'allow']).default('deny'),
    attestations: z
      .strictObject({
        registry: z.boolean().default(true),
        dirs: z.array(z.string().min(1)).default([]),
      })
      .default({ registry: true, dirs: [] }),
    // How registries are reached: for tags and image indexes, and attestations when searched.
    registry: z
      .strictObject({ plainHttp: z.boolean().default(false) })
      .default({ plainHttp: false }),
    cache: z
      .strictObject({
        documents: z.number().int().min(0).max(1_000_000).default(10_000),
        discoveryTTL: duration.default('30s'),
      })
      .default({ documents: 10_000, discoveryTTL: '30s' }),
    imagePolicies: z.array(imagePolicySchema).min(1),
  }),
});

export interface NamespaceSelector {
  readonly include: ReadonlySet<string> | undefined;
  readonly exclude: ReadonlySet<string>;
  readonly matchLabels: ReadonlyMap<string, string>;
}

export interface Breakglass {
  /** Authority names of the image policy's policy file. */
  readonly signers: readonly string[];
  readonly maxDuration: number;
}

/** One image policy, its policy file compiled. */
export interface ImagePolicy {
  readonly name: string;
  readonly globs: readonly ImageGlob[];
  readonly namespaces: NamespaceSelector;
  readonly policy: CompiledPolicy;
  readonly mode: Mode;
  readonly platforms: Platforms;
  readonly breakglass: Breakglass | undefined;
}

/** A validated, compiled ServerConfig: swapped whole on reload. */
export interface ServerSettings {
  readonly listen: { readonly host: string; readonly port: number };
  readonly tls: { readonly cert: string; readonly key: string };
  /** Milliseconds the whole admission may take. */
  readonly deadline: number;
  readonly unmatchedImages: 'deny' | 'allow';
  readonly attestations: { readonly registry: boolean; readonly dirs: readonly string[] };
  /** `plainHttp`: http:// instead of https://, allowed to loopback registries only. */
  readonly registry: { readonly plainHttp: boolean };
  readonly cache: { readonly documents: number; readonly discoveryTtl: number };
  readonly imagePolicies: readonly ImagePolicy[];
}

export interface LoadedSettings {
  readonly settings: ServerSettings;
  /** Every file the settings were built from: the config, policies and their keys. */
  readonly files: readonly string[];
}

/** The apiserver's longest webhook timeout is 30s; the answer must come before it. */
const MAX_DEADLINE_MS = 29_000;

/** Reads, validates and compiles a ServerConfig file; paths are relative to it. */
export function loadServerConfig(path: string): LoadedSettings {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (cause) {
    throw new VouchError('IO_ERROR', `cannot read server configuration ${path}`, {
      cause,
      path,
      hint: 'check the --config path',
    });
  }
  return compileServerConfig({ name: path, text, format: configFormatOf(path) }, dirname(path));
}

export function compileServerConfig(source: ConfigSource, base: string): LoadedSettings {
  const parsed = parseConfigText(source, 'SERVER_CONFIG_INVALID');
  const { spec } = validateConfig(source, parsed, serverConfigSchema, 'SERVER_CONFIG_INVALID');
  const issues: ConfigIssue[] = [];
  const files = [resolve(source.name)];
  const deadline = parseDuration(spec.deadline) ?? 0;
  if (deadline <= 0 || deadline > MAX_DEADLINE_MS) {
    issues.push({ path: ['spec', 'deadline'], message: 'must be more than 0s and at most 29s' });
  }
  const [, host = '', portText = ''] = /^(.*):(\d+)$/.exec(spec.listen) ?? [];
  const port = Number(portText);
  if (port > 65535) {
    issues.push({
      path: ['spec', 'listen'],
      message: 'port must be 0 to 65535 (0: any free port)',
    });
  }
  const seen = new Set<string>();
  const imagePolicies: ImagePolicy[] = [];
  spec.imagePolicies.forEach((p, i) => {
    if (seen.has(p.name)) {
      issues.push({
        path: ['spec', 'imagePolicies', i, 'name'],
        message: `"${p.name}" is used twice`,
      });
    }
    seen.add(p.name);
    const policyPath = resolve(base, p.policy.file);
    let policy: CompiledPolicy;
    try {
      const loaded = readPolicyFile(policyPath);
      policy = loaded.policy;
      files.push(policyPath, ...loaded.keyFiles);
    } catch (err) {
      issues.push({
        path: ['spec', 'imagePolicies', i, 'policy', 'file'],
        message: asVouchError(err).describe(),
      });
      return;
    }
    const authorities = new Set(policy.authorities.map((a) => a.name));
    p.breakglass?.signers.forEach((s, j) => {
      if (!authorities.has(s)) {
        issues.push({
          path: ['spec', 'imagePolicies', i, 'breakglass', 'signers', j],
          message: `"${s}" is not an authority of ${p.policy.file} (it has ${[...authorities].join(', ')})`,
        });
      }
    });
    imagePolicies.push({
      name: p.name,
      globs: p.images.map(compileImageGlob),
      namespaces: {
        include: p.namespaces?.include === undefined ? undefined : new Set(p.namespaces.include),
        exclude: new Set(p.namespaces?.exclude ?? []),
        matchLabels: new Map(Object.entries(p.namespaces?.matchLabels ?? {})),
      },
      policy,
      mode: p.mode,
      platforms: p.platforms,
      breakglass:
        p.breakglass === undefined
          ? undefined
          : {
              signers: p.breakglass.signers,
              maxDuration: parseDuration(p.breakglass.maxDuration) ?? 0,
            },
    });
  });
  if (issues.length > 0) throw configError(source, parsed.locate, 'SERVER_CONFIG_INVALID', issues);
  return {
    settings: {
      listen: { host: host.replace(/^\[|\]$/g, ''), port },
      tls: { cert: resolve(base, spec.tls.cert), key: resolve(base, spec.tls.key) },
      deadline,
      unmatchedImages: spec.unmatchedImages,
      attestations: {
        registry: spec.attestations.registry,
        dirs: spec.attestations.dirs.map((d) => resolve(base, d)),
      },
      registry: { plainHttp: spec.registry.plainHttp },
      cache: {
        documents: spec.cache.documents,
        discoveryTtl: parseDuration(spec.cache.discoveryTTL) ?? 0,
      },
      imagePolicies,
    },
    files,
  };
}
