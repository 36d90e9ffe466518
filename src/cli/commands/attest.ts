import type { Command } from 'commander';
import { buildStatement } from '../../attestation/statement.js';
import { parseStrictJson } from '../../encoding/strict-json.js';
import { VouchError } from '../../errors.js';
import { resolveSubjects } from '../../sources/subject-arg.js';
import type { Wrap } from '../action.js';
import { readInput } from '../files.js';
import { EXIT_OK, type Io } from '../output.js';
import { addSigningOptions, emitAttestation, type SigningOptions } from '../signing.js';

interface AttestOptions extends SigningOptions {
  subject: string[];
  predicateType: string;
  predicate: string;
}

export function registerAttest(command: Command, io: Io, wrap: Wrap): void {
  addSigningOptions(
    command
      .requiredOption('--subject <subject...>', 'file path, NAME@sha256:<hex> or sha256:<hex>')
      .requiredOption('--predicate-type <uri>', 'predicate type URI')
      .requiredOption('--predicate <file>', 'predicate JSON file, or - for standard input'),
  ).action(
    wrap(async (opts: AttestOptions) => {
      const predicate = parseStrictJson(readInput(opts.predicate));
      if (typeof predicate !== 'object' || predicate === null || Array.isArray(predicate)) {
        throw new VouchError('MALFORMED', 'predicate must be a JSON object', {
          path: opts.predicate,
        });
      }
      const subject = await resolveSubjects(opts.subject);
      emitAttestation(
        opts,
        buildStatement(subject, opts.predicateType, predicate as Record<string, unknown>),
        io,
      );
      return EXIT_OK;
    }),
  );
}
