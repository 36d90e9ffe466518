import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { asVouchError, VouchError } from '../errors.js';
import { type LoadedSettings, loadServerConfig, type ServerSettings } from './config.js';
import { FileWatch } from './file-watch.js';
import { needsNamespaceLabels } from './image-policy.js';
import type { ImageVerifier } from './image-verifier.js';
import type { InClusterOptions } from './kubernetes-api.js';
import { ServerMetrics } from './metrics.js';
import {
  type ClusterNamespaceLabelsOptions,
  inClusterNamespaceLabels,
} from './namespace-labels.js';
import { buildServer, type WebhookServer } from './server.js';
import { serverVerifiers } from './verifier.js';

export interface ServeOptions {
  readonly logger: Logger;
  /** How often watched files are checked (ms). */
  readonly watchInterval?: number;
  readonly verifierFor?: (settings: ServerSettings, metrics: ServerMetrics) => ImageVerifier;
  readonly clock?: () => Date;
  /** The Kubernetes API that namespace labels are read from: the pod's own by default. */
  readonly cluster?: InClusterOptions & Omit<ClusterNamespaceLabelsOptions, 'count'>;
}

export interface RunningServer {
  readonly server: WebhookServer;
  /** `https://HOST:PORT` as bound. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `vouch serve`: loads the configuration (a broken one is a startup error), serves HTTPS, and
 * reloads on change. A configuration or TLS pair that fails to load on reload is rejected,
 * logged and counted; the last good one keeps serving.
 */
export async function serve(configPath: string, options: ServeOptions): Promise<RunningServer> {
  const { logger } = options;
  let loaded = loadServerConfig(configPath);
  const metrics = new ServerMetrics();
  metrics.collectProcessMetrics();
  // Outside a cluster there is no reader, only the reason why (for the refusal below).
  const labels = inClusterNamespaceLabels({
    ...options.cluster,
    count: (result) => metrics.cache.inc({ cache: 'namespace-labels', result }),
  });
  const verifiers = serverVerifiers();
  const server = buildServer({
    logger,
    metrics,
    https: readTls(loaded.settings),
    verifierFor: options.verifierFor ?? verifiers.verifierFor,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(labels instanceof VouchError ? {} : { namespaceLabels: labels }),
  });
  const installed = (next: LoadedSettings): void => {
    if (needsNamespaceLabels(next.settings.imagePolicies) && labels instanceof VouchError) {
      throw new VouchError(
        'SERVER_CONFIG_INVALID',
        `namespaces.matchLabels needs namespace labels from the Kubernetes API, which vouch serve cannot read here: ${labels.message}`,
        {
          cause: labels,
          path: configPath,
          hint: 'run vouch serve in the cluster with its service account, or select namespaces with include and exclude',
        },
      );
    }
    server.install(next.settings);
  };
  const closeLabels = (): void => {
    if (!(labels instanceof VouchError)) labels.close();
  };
  try {
    installed(loaded);
  } catch (err) {
    closeLabels();
    verifiers.close();
    throw err;
  }
  const { host, port } = loaded.settings.listen;
  await server.app.listen({ host, port });
  const interval = options.watchInterval ?? 2000;

  const reloadTls = (): void => {
    try {
      server.setTls(readTls(loaded.settings));
      server.metrics.reloads.inc({ what: 'tls', result: 'success' });
      logger.info({ cert: loaded.settings.tls.cert }, 'TLS certificate reloaded');
    } catch (err) {
      server.metrics.reloads.inc({ what: 'tls', result: 'failure' });
      logger.error(
        { code: asVouchError(err).code, error: asVouchError(err).message },
        'TLS reload rejected: the previous certificate keeps serving',
      );
    }
  };
  const tlsWatch = new FileWatch(
    [loaded.settings.tls.cert, loaded.settings.tls.key],
    interval,
    reloadTls,
  );
  const configWatch = new FileWatch(loaded.files, interval, () => {
    try {
      const next = loadServerConfig(configPath);
      const before = loaded.settings;
      installed(next);
      loaded = next;
      configWatch.setFiles(next.files);
      server.metrics.reloads.inc({ what: 'config', result: 'success' });
      logger.info(
        { imagePolicies: next.settings.imagePolicies.map((p) => p.name) },
        'configuration reloaded',
      );
      if (
        next.settings.listen.host !== before.listen.host ||
        next.settings.listen.port !== before.listen.port
      ) {
        logger.warn('listen changed: it takes effect on restart');
      }
      if (next.settings.tls.cert !== before.tls.cert || next.settings.tls.key !== before.tls.key) {
        tlsWatch.setFiles([next.settings.tls.cert, next.settings.tls.key]);
        reloadTls();
      }
    } catch (err) {
      // The files that failed stay watched: fixing them triggers the next attempt.
      server.metrics.reloads.inc({ what: 'config', result: 'failure' });
      const e = asVouchError(err);
      logger.error(
        { code: e.code, error: e.describe() },
        'configuration reload rejected: the last good configuration keeps serving',
      );
    }
  });
  const address = server.app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    server,
    url: `https://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    async close() {
      configWatch.stop();
      tlsWatch.stop();
      await server.app.close();
      closeLabels();
      verifiers.close();
    },
  };
}

function readTls(settings: ServerSettings): { cert: Buffer; key: Buffer } {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (cause) {
      throw new VouchError('IO_ERROR', `cannot read the TLS ${what} ${path}`, {
        cause,
        path,
        hint: 'check spec.tls',
      });
    }
  };
  return { cert: read(settings.tls.cert, 'certificate'), key: read(settings.tls.key, 'key') };
}
