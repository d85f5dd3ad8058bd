/** The apps the benchmark compares, each served by bench/server.ts in its own process. */
export const VARIANTS = [
  'bare',
  'cookie',
  'memory',
  'redis',
  'express-session',
  'connect-redis',
  'cookie-session',
  'service',
  'request-scope',
] as const;
export type Variant = (typeof VARIANTS)[number];

/**
 * Extra apps for taking the cost apart (BENCH_VARIANTS=bare,noop-middleware,...): a Nest
 * middleware on every route; what Nest charges for a guard and a parameter decorator; a plain
 * Express middleware, and one entering AsyncLocalStorage (what SessionService needs); the module
 * mounted but the route not using the session; the @Session() parameter without the guard.
 */
export const DIAGNOSTIC_VARIANTS = [
  'noop-middleware',
  'nest-floor',
  'raw-middleware',
  'als-middleware',
  'cookie-untouched',
  'cookie-decorator',
] as const;
export type DiagnosticVariant = (typeof DIAGNOSTIC_VARIANTS)[number];

export const SCENARIOS = ['read', 'write'] as const;
/** read: a guarded page that reads the session; write: a counter incremented on each request. */
export type Scenario = (typeof SCENARIOS)[number];

export const LABELS: Record<Variant | DiagnosticVariant, string> = {
  bare: 'no session (the limit)',
  cookie: 'this module, cookie store',
  memory: 'this module, memory store',
  redis: 'this module, Redis store',
  'express-session': 'express-session + MemoryStore',
  'connect-redis': 'express-session + connect-redis',
  'cookie-session': 'cookie-session',
  service: 'SessionService injected (cookie store)',
  'request-scope': 'Scope.REQUEST provider injected (cookie store)',
  'noop-middleware': 'a no-op Nest middleware (diagnostic)',
  'nest-floor': 'a no-op guard and a constant parameter decorator, no session (diagnostic)',
  'raw-middleware': 'a no-op Express middleware (diagnostic)',
  'als-middleware': 'an Express middleware entering AsyncLocalStorage (diagnostic)',
  'cookie-untouched': 'this module, route not using the session (diagnostic)',
  'cookie-decorator': 'this module, @Session() without the guard (diagnostic)',
};

/** Targets of the issue: ratio to the bare route of the same round, medians. */
export const TARGETS: Array<{ variant: Variant; scenario: Scenario; min: number }> = [
  { variant: 'cookie', scenario: 'write', min: 0.9 },
  { variant: 'cookie', scenario: 'read', min: 0.93 },
  { variant: 'redis', scenario: 'write', min: 0.75 },
  { variant: 'service', scenario: 'read', min: 0.9 },
  { variant: 'service', scenario: 'write', min: 0.9 },
];
