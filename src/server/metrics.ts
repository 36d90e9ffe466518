import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The webhook's Prometheus metrics (GET /metrics), one registry per server. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly decisions = new Counter({
    name: 'vouch_admission_decisions_total',
    help: 'Image decisions by image policy, mode and result (allow, deny, warn, audit, exempt, breakglass, unmatched)',
    labelNames: ['policy', 'mode', 'result'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'vouch_admission_duration_seconds',
    help: 'Time to answer an AdmissionReview, by endpoint and answer',
    labelNames: ['endpoint', 'allowed'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8, 10],
    registers: [this.registry],
  });
  readonly badRequests = new Counter({
    name: 'vouch_admission_bad_requests_total',
    help: 'Requests answered 400 (not an AdmissionReview v1 the webhook can judge)',
    registers: [this.registry],
  });
  readonly cache = new Counter({
    name: 'vouch_cache_requests_total',
    help: 'Cache lookups by cache (documents, discovery, namespace-labels) and result (hit, miss)',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });
  readonly registryErrors = new Counter({
    name: 'vouch_registry_errors_total',
    help: 'Image verifications that failed with a registry error, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly deadlines = new Counter({
    name: 'vouch_deadline_exceeded_total',
    help: 'Image verifications cut off by the deadline, by image policy and mode',
    labelNames: ['policy', 'mode'] as const,
    registers: [this.registry],
  });
  readonly breakglass = new Counter({
    name: 'vouch_breakglass_admissions_total',
    help: 'Images admitted by a breakglass attestation, by image policy and namespace',
    labelNames: ['policy', 'namespace'] as const,
    registers: [this.registry],
  });
  readonly reloads = new Counter({
    name: 'vouch_reloads_total',
    help: 'Reloads of the configuration and policies (config) or TLS files (tls), by result',
    labelNames: ['what', 'result'] as const,
    registers: [this.registry],
  });

  /**
   * The process's own metrics, under the names Node dashboards know: the event-loop delay
   * (nodejs_eventloop_lag_{p50,p99,max}_seconds, sampled by perf_hooks' monitorEventLoopDelay
   * over the time since the previous scrape: a stall in verification shows here), RSS, heap and
   * GC. Once per process (`vouch serve`): each call starts a monitor that runs until exit.
   */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }
}
