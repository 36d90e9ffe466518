import type { CompiledPolicy } from '../policy/compile.js';
import { breakglassPolicy } from './breakglass.js';
import type { ImagePolicy, ServerSettings } from './config.js';
import { LruMap } from './lru.js';

/** Namespaces with a compiled breakglass rule kept per configuration. */
const MAX_BREAKGLASS_RULES = 1024;

/** The configuration serving admissions; a reload replaces the whole object. */
export class ActiveConfig {
  readonly #breakglass = new LruMap<string, CompiledPolicy>(MAX_BREAKGLASS_RULES);

  constructor(
    readonly settings: ServerSettings,
    /** Distinguishes work started under an earlier configuration. */
    readonly generation: number,
  ) {}

  /** The image policy's breakglass rule for a namespace, compiled once. */
  breakglassFor(policy: ImagePolicy, namespace: string): CompiledPolicy | undefined {
    if (policy.breakglass === undefined) return undefined;
    const key = `${policy.name}\u0000${namespace}`;
    let rule = this.#breakglass.get(key);
    if (rule === undefined) {
      rule = breakglassPolicy(policy.policy, policy.breakglass, namespace);
      this.#breakglass.set(key, rule);
    }
    return rule;
  }
}
