/** The apps the benchmark compares on Express, each served by bench/server.ts in its own process. */
export const EXPRESS_VARIANTS = [
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

/** The same on Fastify (bench/fastify-app.ts): the bare route, this module, Fastify's sessions. */
export const FASTIFY_VARIANTS = [
  'fastify-bare',
  'fastify-cookie',
  'fastify-redis',
  'fastify-secure-session',
  'fastify-session',
  'fastify-session-redis',
] as const;
export type FastifyVariant = (typeof FASTIFY_VARIANTS)[number];

export const VARIANTS = [...EXPRESS_VARIANTS, ...FASTIFY_VARIANTS] as const;
export type Variant = (typeof VARIANTS)[number];

export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

export function isFastifyVariant(variant: string): variant is FastifyVariant {
  return (FASTIFY_VARIANTS as readonly string[]).includes(variant);
}

export function platformOf(variant: Variant): Platform {
  return isFastifyVariant(variant) ? 'fastify' : 'express';
}

/** Each platform's bare route: its variants' ratios are taken against it, in the same round. */
export const BASELINES: Record<Platform, Variant> = { express: 'bare', fastify: 'fastify-bare' };

export function baselineOf(variant: Variant): Variant {
  return BASELINES[platformOf(variant)];
}

export function isBaseline(variant: Variant): boolean {
  return variant === baselineOf(variant);
}

/** The variants whose sessions live in Redis: the bench starts a Redis for them. */
export const REDIS_VARIANTS: readonly Variant[] = [
  'redis',
  'connect-redis',
  'fastify-redis',
  'fastify-session-redis',
];

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
  'fastify-bare': 'no session (the limit)',
  'fastify-cookie': 'this module, cookie store',
  'fastify-redis': 'this module, Redis store',
  'fastify-secure-session': '@fastify/secure-session',
  'fastify-session': '@fastify/session + MemoryStore',
  'fastify-session-redis': '@fastify/session + connect-redis',
  'noop-middleware': 'a no-op Nest middleware (diagnostic)',
  'nest-floor': 'a no-op guard and a constant parameter decorator, no session (diagnostic)',
  'raw-middleware': 'a no-op Express middleware (diagnostic)',
  'als-middleware': 'an Express middleware entering AsyncLocalStorage (diagnostic)',
  'cookie-untouched': 'this module, route not using the session (diagnostic)',
  'cookie-decorator': 'this module, @Session() without the guard (diagnostic)',
};

/** Fastify's own sessions, which this module must cost less than on Fastify. */
export const FASTIFY_COMPETITORS = [
  'fastify-secure-session',
  'fastify-session',
  'fastify-session-redis',
] as const satisfies readonly FastifyVariant[];

/**
 * Targets of the issues, on the median ratio to the platform's bare route of the same round:
 * at least `min`, or above the ratio of each variant in `beats` (same run, same scenario).
 */
export type Target = { variant: Variant; scenario: Scenario } & (
  { min: number } | { beats: readonly Variant[] }
);

export const TARGETS: Target[] = [
  { variant: 'cookie', scenario: 'write', min: 0.9 },
  { variant: 'cookie', scenario: 'read', min: 0.93 },
  { variant: 'redis', scenario: 'write', min: 0.75 },
  { variant: 'service', scenario: 'read', min: 0.9 },
  { variant: 'service', scenario: 'write', min: 0.9 },
  // On Fastify, this module on either store costs less than each of Fastify's sessions.
  ...(['fastify-cookie', 'fastify-redis'] as const).flatMap((variant) =>
    SCENARIOS.map((scenario) => ({ variant, scenario, beats: FASTIFY_COMPETITORS })),
  ),
];
