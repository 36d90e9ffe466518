import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { parseStrictJson } from '../encoding/strict-json.js';
import { asVouchError, VouchError } from '../errors.js';
import { ActiveConfig } from './active-config.js';
import { type Endpoint, type NamespaceLabels, reviewAdmission } from './admission.js';
import { admissionReview, parseAdmissionReview } from './admission-review.js';
import type { ServerSettings } from './config.js';
import { logAdmission } from './decision-log.js';
import type { ImageVerdict, ImageVerifier } from './image-verifier.js';
import { InFlight } from './in-flight.js';
import { ServerMetrics } from './metrics.js';

/** The apiserver stores objects up to 1.5 MiB; an AdmissionReview carries object and oldObject. */
export const MAX_ADMISSION_BYTES = 4 * 1024 * 1024;
/** Pod specs nest a little deeper than attestations (managedFields). */
const MAX_ADMISSION_DEPTH = 100;

export interface ServerOptions {
  readonly logger: Logger;
  /** Builds the verifier for a configuration (its sources and caches), at start and on reload. */
  readonly verifierFor: (settings: ServerSettings, metrics: ServerMetrics) => ImageVerifier;
  readonly https?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly namespaceLabels?: NamespaceLabels;
  readonly clock?: () => Date;
  readonly metrics?: ServerMetrics;
}

export interface WebhookServer {
  readonly app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;
  readonly metrics: ServerMetrics;
  /** Installs a configuration: the whole of it serves the next admission (atomic swap). */
  install(settings: ServerSettings): void;
  /** Replaces the TLS certificate and key for new connections. */
  setTls(tls: { readonly cert: string | Buffer; readonly key: string | Buffer }): void;
}

interface Runtime {
  readonly config: ActiveConfig;
  readonly verifier: ImageVerifier;
}

/**
 * The admission webhook (DESIGN.md section 11) as a fastify factory: tested through inject()
 * and real sockets; ready (GET /readyz) only once a configuration is installed.
 */
export function buildServer(options: ServerOptions): WebhookServer {
  const metrics = options.metrics ?? new ServerMetrics();
  const clock = options.clock ?? (() => new Date());
  const inFlight = new InFlight<ImageVerdict>();
  let runtime: Runtime | undefined;
  let generation = 0;
  const app = Fastify({
    loggerInstance: options.logger,
    // One decision log line per admission is written by the handler, not per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_ADMISSION_BYTES,
    // The apiserver keeps connections alive; idle ones are closed after a minute.
    keepAliveTimeout: 60_000,
    return503OnClosing: true,
    ...(options.https === undefined ? {} : { https: { ...options.https } }),
  });

  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(
        null,
        parseStrictJson(body as Buffer, {
          maxBytes: MAX_ADMISSION_BYTES,
          maxDepth: MAX_ADMISSION_DEPTH,
        }),
      );
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err: FastifyError | VouchError, _request, reply) => {
    metrics.badRequests.inc();
    const e = clientError(err);
    if (e.code === 'INTERNAL') options.logger.error({ err }, 'request failed');
    void reply.code(e.code === 'INTERNAL' ? 500 : 400).send({
      error: {
        code: e.code,
        message: e.message,
        ...(e.hint === undefined ? {} : { hint: e.hint }),
      },
    });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({
      error: {
        code: 'USAGE',
        message: `no route ${request.method} ${request.url.slice(0, 100)}`,
      },
    });
  });

  const admit = (endpoint: Endpoint) => async (body: unknown) => {
    const started = performance.now();
    const current = runtime;
    if (current === undefined) throw new VouchError('INTERNAL', 'no configuration is loaded yet');
    const request = parseAdmissionReview(body);
    const outcome = await reviewAdmission(request, endpoint, {
      config: current.config,
      verifier: current.verifier,
      inFlight,
      namespaceLabels: options.namespaceLabels,
      clock,
    });
    const ms = performance.now() - started;
    for (const i of outcome.images) {
      metrics.decisions.inc({ policy: i.policy ?? '', mode: i.mode ?? '', result: i.result });
      if (i.deadline) metrics.deadlines.inc({ policy: i.policy ?? '', mode: i.mode ?? '' });
      if (i.result === 'breakglass')
        metrics.breakglass.inc({ policy: i.policy ?? '', namespace: request.namespace ?? '' });
      for (const r of i.reasons)
        if (r.code.startsWith('REGISTRY_')) metrics.registryErrors.inc({ code: r.code });
    }
    metrics.latency.observe({ endpoint, allowed: String(outcome.response.allowed) }, ms / 1000);
    logAdmission(options.logger, endpoint, request, outcome, ms);
    return admissionReview(outcome.response);
  };
  for (const endpoint of ['validate', 'mutate'] as const) {
    const handle = admit(endpoint);
    app.post(`/${endpoint}`, async (request, reply) => {
      if (runtime === undefined)
        return reply
          .code(503)
          .send({ error: { code: 'INTERNAL', message: 'not ready: no configuration loaded' } });
      return handle(request.body);
    });
  }
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    runtime === undefined ? reply.code(503).send({ status: 'not ready' }) : { status: 'ready' },
  );
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  return {
    app,
    metrics,
    install(settings) {
      generation++;
      runtime = {
        config: new ActiveConfig(settings, generation),
        verifier: options.verifierFor(settings, metrics),
      };
    },
    setTls(tls) {
      const server = app.server as unknown as { setSecureContext?: (o: object) => void };
      if (server.setSecureContext === undefined)
        throw new VouchError('USAGE', 'the server was built without TLS');
      server.setSecureContext({ cert: tls.cert, key: tls.key });
    },
  };
}

/** A request the webhook cannot judge, as the coded error its 400 answer carries. */
function clientError(err: FastifyError | VouchError): VouchError {
  if (err instanceof VouchError) {
    // Strict JSON faults (size, syntax, duplicate keys) keep their own codes.
    return err;
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new VouchError('TOO_LARGE', `the request body is over ${MAX_ADMISSION_BYTES} bytes`, {
        hint: 'an AdmissionReview of one object is far smaller',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new VouchError('ADMISSION_INVALID', `${err.message}`, {
        hint: 'send an AdmissionReview as application/json',
      });
    default:
      return err.statusCode !== undefined && err.statusCode < 500
        ? new VouchError('ADMISSION_INVALID', err.message)
        : asVouchError(err);
  }
}
