import { escapeTerminal } from '../encoding/terminal-text.js';
import type { SkippedInput } from '../policy/decision.js';
import { localSource } from '../sources/local.js';
import {
  type AttestationSource,
  DEFAULT_SOURCE_LIMITS,
  gatherDocuments,
  type SourceResult,
} from '../sources/source.js';
import { streamSource } from '../sources/stream.js';
import type { Io } from './output.js';

/** The attestation path that means standard input. */
export const STDIN_PATH = '-';

/** The sources `--attestations` paths name: files, directories and layouts; `-` is standard input. */
export function attestationSources(paths: readonly string[], io: Io): AttestationSource[] {
  const sources = [localSource(paths.filter((p) => p !== STDIN_PATH))];
  if (paths.includes(STDIN_PATH)) sources.push(streamSource('standard input', () => io.stdin?.()));
  return sources;
}

/** The documents of attestation paths, for commands that read them without a policy. */
export function readAttestations(paths: readonly string[], io: Io): Promise<SourceResult> {
  return gatherDocuments(attestationSources(paths, io), { limits: DEFAULT_SOURCE_LIMITS });
}

/** Skipped entries as stderr lines for commands whose output has no place for them. */
export function reportSkipped(io: Io, skipped: readonly SkippedInput[]): void {
  for (const s of skipped) io.err(`vouch: skipped ${escapeTerminal(`${s.source}: ${s.reason}`)}\n`);
}
