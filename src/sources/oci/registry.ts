import { VouchError } from '../../errors.js';
import { RegistryClient } from './client.js';
import { Deadline } from './deadline.js';
import { type DiscoverOptions, type Discovery, discoverDocuments } from './discover.js';
import { type WrittenLayout, writeImageLayout } from './layout.js';
import { DEFAULT_REGISTRY_TIMEOUTS, type RegistryLimits, type RegistryTimeouts } from './limits.js';
import { type PushDocument, type PushResult, pushReferrer } from './push.js';
import { type ImageReference, parseReference } from './reference.js';
import { type ResolvedImage, resolveImage } from './resolve.js';
import type { TransportOptions, TransportStats } from './transport.js';

export interface OciRegistryOptions extends Omit<TransportOptions, 'requestTimeoutMs'> {
  readonly limits?: Partial<RegistryLimits>;
  readonly timeouts?: Partial<RegistryTimeouts>;
}

/** Bounds for one operation: a caller's signal and/or a deadline (default: the configured one). */
export interface OperationOptions {
  readonly signal?: AbortSignal;
  /** A shared deadline, or milliseconds from now. */
  readonly deadline?: Deadline | number;
}

/**
 * Vouch's view of OCI registries: resolve, discover, push and pull, each bounded by a
 * deadline. Holds one client (keep-alive connections, tokens) per registry host; `close`
 * releases them.
 */
export class OciRegistry {
  private readonly options: OciRegistryOptions;
  private readonly timeouts: RegistryTimeouts;
  private readonly clients = new Map<string, RegistryClient>();

  constructor(options: OciRegistryOptions = {}) {
    this.options = options;
    this.timeouts = { ...DEFAULT_REGISTRY_TIMEOUTS, ...options.timeouts };
  }

  /** A deadline for a sequence of operations that must end together. */
  deadline(options: OperationOptions = {}): Deadline {
    if (options.deadline instanceof Deadline) return options.deadline;
    return Deadline.after(options.deadline ?? this.timeouts.deadlineMs, options.signal);
  }

  /** Resolves a reference to the digest of its manifest bytes (and an index's platforms). */
  async resolve(
    ref: string | ImageReference,
    options: OperationOptions = {},
  ): Promise<ResolvedImage> {
    const image = typeof ref === 'string' ? parseReference(ref) : ref;
    return resolveImage(this.client(image.registry), image, this.deadline(options));
  }

  /**
   * The signed documents attached to an image digest (a tag is resolved first). Path failures
   * are reported in `failures`, not thrown; a failure to resolve the tag is thrown.
   */
  async discover(
    ref: string | ImageReference,
    options: OperationOptions & DiscoverOptions = {},
  ): Promise<Discovery> {
    const image = typeof ref === 'string' ? parseReference(ref) : ref;
    const deadline = this.deadline(options);
    const client = this.client(image.registry);
    const digest = image.digest ?? (await resolveImage(client, image, deadline)).digest;
    return discoverDocuments(client, image.repository, digest, deadline, options);
  }

  /** Stores a signed document as a referrer of the image (with the tag-schema fallback). */
  async push(
    ref: string | ImageReference,
    document: PushDocument,
    options: OperationOptions = {},
  ): Promise<PushResult> {
    const image = typeof ref === 'string' ? parseReference(ref) : ref;
    return pushReferrer(this.client(image.registry), image, document, this.deadline(options));
  }

  /**
   * Copies an image's attestations into a new OCI image layout directory. Fails (writing
   * nothing) if any discovery path failed: an offline copy must not silently hold less.
   */
  async pull(
    ref: string | ImageReference,
    dir: string,
    options: OperationOptions = {},
  ): Promise<WrittenLayout & { subject: ResolvedImage }> {
    const image = typeof ref === 'string' ? parseReference(ref) : ref;
    const deadline = this.deadline(options);
    const client = this.client(image.registry);
    const subject = await resolveImage(client, image, deadline);
    const found = await discoverDocuments(client, image.repository, subject.digest, deadline);
    const [failure] = found.failures;
    if (failure !== undefined) {
      throw new VouchError(failure.code, `${failure.path}: ${failure.message}`, {
        hint: 'nothing was written; retry when the registry answers',
      });
    }
    const written = writeImageLayout(
      dir,
      { digest: subject.digest, mediaType: subject.mediaType, size: subject.bytes.byteLength },
      found.documents,
    );
    return { ...written, subject };
  }

  /** Requests and connections so far, over every registry. */
  stats(): TransportStats {
    const total = { requests: 0, connections: 0 };
    for (const c of this.clients.values()) {
      total.requests += c.transport.stats.requests;
      total.connections += c.transport.stats.connections;
    }
    return total;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  private client(registry: string): RegistryClient {
    let client = this.clients.get(registry);
    if (client === undefined) {
      const { limits, timeouts: _timeouts, ...transport } = this.options;
      client = new RegistryClient(registry, {
        ...transport,
        requestTimeoutMs: this.timeouts.requestTimeoutMs,
        ...(limits === undefined ? {} : { limits }),
      });
      this.clients.set(registry, client);
    }
    return client;
  }
}
