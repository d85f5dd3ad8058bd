// The benchmark harness: `npm run bench`. Starts each variant of bench/server.ts in its own
// process, gives it a live session, loads it from a separate autocannon process over loopback,
// and reports median req/s, p50/p99 latency and the ratio to the bare route of the same round on
// the same platform (Express or Fastify).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { renderChart } from './chart.js';
import { renderTable } from './table.js';
import {
  baselineOf,
  isBaseline,
  LABELS,
  REDIS_VARIANTS,
  SCENARIOS,
  type Scenario,
  TARGETS,
  VARIANTS,
  type Variant,
} from './variants.js';

export interface BenchOptions {
  rounds: number;
  /** Seconds of measured load per variant and round. */
  duration: number;
  /** Seconds of unmeasured load first. */
  warmup: number;
  connections: number;
  /** Smoke run: a few requests per variant, only to prove every variant answers. */
  smoke: boolean;
  variants: readonly Variant[];
  scenarios: readonly Scenario[];
  /** Where results.json, results.md and chart.svg go; none: not written. */
  outDir: string | undefined;
  /**
   * Called with each server once all of a round's servers are up, before any load: the smoke
   * test checks their answers here. A rejection fails the run (every server is stopped).
   */
  probe?: (server: { variant: Variant; scenario: Scenario; port: number }) => Promise<void>;
  log: (line: string) => void;
}

export interface Sample {
  round: number;
  rps: number;
  /** Server CPU time per request, µs (user + system, from /proc): steadier than req/s on a noisy machine. */
  cpuUs: number;
  p50: number;
  p99: number;
  ratio: number;
  ok: number;
  failed: number;
}

export interface VariantResult {
  variant: Variant;
  scenario: Scenario;
  label: string;
  samples: Sample[];
  median: { rps: number; cpuUs: number; p50: number; p99: number; ratio: number };
  /** Target: at least this ratio. */
  target?: number;
  /** Target: a ratio above each of these variants' (same scenario, same run). */
  beats?: Variant[];
}

export interface BenchResults {
  date: string;
  /** wrk or autocannon. */
  loader: string;
  node: string;
  cpus: number;
  pinned: boolean;
  /** Which Redis served the Redis variants. */
  redis: string;
  options: Omit<BenchOptions, 'log' | 'outDir' | 'probe'>;
  results: VariantResult[];
}

/** The project root: the nearest folder up from this file with a package.json (source or build). */
const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
const SERVER = join(ROOT, 'bench/out/bench/server.js');
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
/** The Redis the Redis variants use: the bench's own (see ownRedis) or REDIS_URL. */
let redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Server on CPU 0, load generator on CPU 1, when taskset and two CPUs are there. */
function pinning(): { server: string[]; load: string[] } | undefined {
  if (availableParallelism() < 2) return undefined;
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return { server: ['taskset', '-c', '0'], load: ['taskset', '-c', '1'] };
  } catch {
    return undefined;
  }
}

function run(command: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command[0], command.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function startServer(
  variant: Variant,
  scenario: Scenario,
  prefix: string,
  pin: string[],
  startMs: number,
): Promise<{ child: ChildProcess; port: number }> {
  const child = run([...pin, process.execPath, SERVER], {
    BENCH_VARIANT: variant,
    BENCH_SCENARIO: scenario,
    BENCH_REDIS_PREFIX: prefix,
    REDIS_URL: redisUrl,
  });
  let output = '';
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // a server that failed to start must not outlive the run
      reject(new Error(`${variant} did not start:\n${output}`));
    }, startMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /READY (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${variant} exited (${code}):\n${output}`)));
  });
  return { child, port };
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** GET /login once: the cookie header every load request then sends. */
async function sessionCookie(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/login`);
  if (res.status !== 200) throw new Error(`GET /login answered ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
}

/** wrk (Debian's, in C: the lighter load generator) when installed, else autocannon from npm. */
const WRK = (() => {
  if (process.env.BENCH_LOADER === 'autocannon') return undefined;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (error) {
    // wrk --version exits 1 after printing its version
    return (error as { status?: number }).status === 1 ? 'wrk' : undefined;
  }
})();

/** The load generator in use, for the report. */
export const LOADER = WRK ?? 'autocannon';

/**
 * A smoke run's load from this process: `requests` GETs over `connections` sequential streams.
 * Spawning the load generator costs a second and a half each time, most of a smoke run.
 */
async function loadInProcess(port: number, cookie: string, args: LoadArgs): Promise<Load> {
  const url = `http://127.0.0.1:${port}/profile`;
  let ok = 0;
  let failed = 0;
  const stream = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const res = await fetch(url, { headers: { cookie } }).catch(() => undefined);
      await res?.arrayBuffer();
      if (res !== undefined && res.status >= 200 && res.status < 300) ok++;
      else failed++;
    }
  };
  const requests = args.requests ?? 0;
  const perStream = Math.ceil(requests / args.connections);
  await Promise.all(
    Array.from({ length: args.connections }, (_, i) =>
      stream(Math.min(perStream, requests - i * perStream)),
    ),
  );
  return { rps: 0, p50: 0, p99: 0, ok, failed };
}

function load(port: number, cookie: string, args: LoadArgs, pin: string[]): Promise<Load> {
  const url = `http://127.0.0.1:${port}/profile`;
  if (WRK !== undefined && args.requests === undefined) return loadWithWrk(url, cookie, args, pin);
  const headers = cookie ? ['-H', `cookie:${cookie}`] : [];
  const amount =
    args.requests === undefined ? ['-d', String(args.seconds)] : ['-a', String(args.requests)];
  const command = [
    ...pin,
    process.execPath,
    AUTOCANNON,
    '-j',
    '-c',
    String(args.connections),
    ...amount,
    ...headers,
    url,
  ];
  return output(command).then((out) => {
    const r = JSON.parse(out) as {
      requests: { average: number };
      latency: { p50: number; p99: number };
      '2xx': number;
      non2xx: number;
      errors: number;
      timeouts: number;
    };
    return {
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      ok: r['2xx'],
      failed: r.non2xx + r.errors + r.timeouts,
    };
  });
}

async function loadWithWrk(
  url: string,
  cookie: string,
  args: LoadArgs,
  pin: string[],
): Promise<Load> {
  const headers = cookie ? ['-H', `Cookie: ${cookie}`] : [];
  const out = await output([
    ...pin,
    'wrk',
    '-t1',
    `-c${args.connections}`,
    `-d${args.seconds}s`,
    '--latency',
    ...headers,
    url,
  ]);
  const number = (pattern: RegExp): number => Number(pattern.exec(out)?.[1] ?? 0);
  const ms = (pattern: RegExp): number => {
    const match = pattern.exec(out);
    if (!match) return 0;
    const unit = match[2];
    return Number(match[1]) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
  };
  const total = number(/(\d+) requests in/);
  const failed =
    number(/Non-2xx or 3xx responses: (\d+)/) +
    [...out.matchAll(/(connect|read|write|timeout) (\d+)/g)].reduce(
      (sum, m) => sum + Number(m[2]),
      0,
    );
  return {
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    p50: ms(/50%\s+([\d.]+)(us|ms|s)/),
    p99: ms(/99%\s+([\d.]+)(us|ms|s)/),
    ok: total - failed,
    failed,
  };
}

interface LoadArgs {
  connections: number;
  seconds: number;
  /** A fixed number of requests instead of a duration (smoke runs). */
  requests?: number;
}

function output(command: string[]): Promise<string> {
  const child = run(command, {});
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((done, reject) => {
    child.once('exit', (code) =>
      code === 0 ? done(out) : reject(new Error(`${command.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in clock ticks (0 where /proc is not there). */
function cpuTicks(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A redis-server of the bench's own on the load's CPU, so that Redis does not take CPU time
 * from the server being measured (the machine's shared Redis floats over both CPUs). Without
 * redis-server on the PATH, or with BENCH_REDIS=shared, the Redis at REDIS_URL serves.
 */
async function ownRedis(pin: string[] | undefined): Promise<{ label: string; stop: () => void }> {
  const shared = { label: `shared Redis at ${redisUrl}`, stop: () => undefined };
  if (process.env.BENCH_REDIS === 'shared' || pin === undefined) return shared;
  const port = await new Promise<number>((resolvePort) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(free));
    });
  });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = run([...pin, 'redis-server', ...args], {});
  const spawned = await new Promise<boolean>((resolveSpawn) => {
    child.once('spawn', () => resolveSpawn(true));
    child.once('error', () => resolveSpawn(false));
  });
  if (!spawned) return shared;
  child.stdout!.resume();
  child.stderr!.resume();
  let up = false;
  for (let attempt = 0; attempt < 50 && !up; attempt++) {
    const client = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined); // refused while it starts: asked again below
    up = await client.connect().then(
      () => true,
      () => false,
    );
    client.disconnect();
    if (!up) await new Promise((wait) => setTimeout(wait, 100));
  }
  if (!up) {
    child.kill('SIGKILL');
    return shared;
  }
  redisUrl = `redis://127.0.0.1:${port}`;
  return { label: 'own redis-server on the load CPU', stop: () => child.kill('SIGKILL') };
}

/** The list started at a different place each time: no variant always goes first. */
function rotate<T>(list: T[], by: number): T[] {
  const shift = by % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/** One variant's server and what its slices added up to in a round. */
interface Running {
  variant: Variant;
  child: ChildProcess;
  port: number;
  cookie: string;
  requests: number;
  failed: number;
  seconds: number;
  cpuTicks: number;
  p50: number[];
  p99: number[];
}

/**
 * Per round and scenario, every variant's server runs at once, each with a bare twin (all pinned
 * to one CPU, idle unless loaded), and the load visits them in two-second slices, round-robin,
 * each variant's slice right next to a slice of its twin (before it, then after it, in turn).
 * Shared-machine noise comes in waves of seconds: a variant's ratio is taken against its twin's
 * slices beside its own, so a wave falls on both sides of the ratio; and the twin sits idle
 * between slices exactly as long as the variant (a server kept busier runs warmer).
 */
export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const pin = pinning();
  const prefix = `bench:${process.pid}:`;
  const usesRedis = options.variants.some((v) => REDIS_VARIANTS.includes(v));
  const ownedRedis = usesRedis ? await ownRedis(pin?.load) : undefined;
  const redis = new Redis(redisUrl, { lazyConnect: true });
  const samples = new Map<string, Sample[]>();
  // Each platform's bare route is there whenever one of its variants is: the ratios' baseline.
  const baselines = [...new Set(options.variants.map(baselineOf))];
  const variants = [...baselines.filter((b) => !options.variants.includes(b)), ...options.variants];
  const sliceSeconds = Math.min(2, options.duration);
  const slices = options.smoke ? 1 : Math.max(1, Math.round(options.duration / sliceSeconds));
  const sliceArgs: LoadArgs = options.smoke
    ? { connections: 2, seconds: 1, requests: 40 }
    : { connections: options.connections, seconds: sliceSeconds };
  try {
    for (let round = 1; round <= options.rounds; round++) {
      for (const scenario of options.scenarios) {
        const running: Running[] = [];
        /**
         * Each variant's bare twin (its platform's bare route): the same idle time between
         * slices as the variant's own.
         */
        const twins = new Map<Running, Running>();
        // A smoke run checks that every server answers, not how fast: its servers boot on any
        // CPU, all at once, instead of one by one on the measured CPU: together they take longer
        // to boot than one alone, and longer still on a busy machine.
        const serverPin = options.smoke ? [] : (pin?.server ?? []);
        const startMs = options.smoke ? 60_000 : 20_000;
        const start = async (variant: Variant): Promise<Running> => {
          const server = await startServer(variant, scenario, prefix, serverPin, startMs);
          const r: Running = {
            variant,
            ...server,
            cookie: '',
            requests: 0,
            failed: 0,
            seconds: 0,
            cpuTicks: 0,
            p50: [],
            p99: [],
          };
          running.push(r);
          return r;
        };
        try {
          const paired = variants.filter((variant) => !isBaseline(variant));
          if (options.smoke) {
            // One bare server per platform is every variant's twin: half the boots, and no ratio
            // is read. Every start settles before a failure is thrown, so that `finally` stops
            // every server that did start (one left running would keep the test's process alive).
            const starts = [...baselines, ...paired].map(start);
            const failure = (await Promise.allSettled(starts)).find(
              (result) => result.status === 'rejected',
            );
            if (failure !== undefined) throw failure.reason;
            const started = await Promise.all(starts);
            const bares = started.slice(0, baselines.length);
            for (const r of started.slice(baselines.length)) {
              twins.set(
                r,
                bares.find((bare) => bare.variant === baselineOf(r.variant))!,
              );
            }
          } else {
            for (const variant of paired) {
              twins.set(await start(variant), await start(baselineOf(variant)));
            }
          }
          // A bare route no variant is paired with runs on its own, its own baseline.
          const lone: Running[] = [];
          for (const baseline of baselines) {
            if (!running.some((r) => r.variant === baseline)) lone.push(await start(baseline));
          }
          if (options.probe !== undefined) {
            const probe = options.probe;
            await Promise.all(
              running.map((r) => probe({ variant: r.variant, scenario, port: r.port })),
            );
          }
          for (const r of running) {
            r.cookie = await sessionCookie(r.port);
            if (options.warmup > 0 && !options.smoke) {
              const warm = { connections: options.connections, seconds: options.warmup };
              await load(r.port, r.cookie, warm, pin?.load ?? []);
            }
          }
          // A smoke run drives the load generator once per scenario, so that its use cannot rot.
          let viaGenerator = true;
          const measure = async (r: Running): Promise<void> => {
            const before = cpuTicks(r.child.pid);
            const started = process.hrtime.bigint();
            const result = viaGenerator
              ? await load(r.port, r.cookie, sliceArgs, pin?.load ?? [])
              : await loadInProcess(r.port, r.cookie, sliceArgs);
            viaGenerator = !options.smoke;
            const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
            r.seconds += options.smoke ? elapsed : sliceSeconds;
            r.cpuTicks += cpuTicks(r.child.pid) - before;
            r.requests += result.ok + result.failed;
            r.failed += result.failed;
            r.p50.push(result.p50);
            r.p99.push(result.p99);
          };
          // A twin is loaded only beside its variant, so its totals are the variant's baseline.
          for (let slice = 0; slice < slices; slice++) {
            for (const r of lone) await measure(r);
            for (const [r, twin] of rotate([...twins], slice + round)) {
              const bareFirst = (slice + round) % 2 === 0;
              if (bareFirst) await measure(twin);
              await measure(r);
              if (!bareFirst) await measure(twin);
            }
          }
        } finally {
          await Promise.all(running.map((r) => stopServer(r.child)));
        }
        // Each platform's bare row: all its twins together.
        const bareRows = baselines.map((baseline): Running => {
          const bares = running.filter((r) => r.variant === baseline);
          return {
            ...bares[0],
            requests: bares.reduce((sum, r) => sum + r.requests, 0),
            failed: bares.reduce((sum, r) => sum + r.failed, 0),
            seconds: bares.reduce((sum, r) => sum + r.seconds, 0),
            cpuTicks: bares.reduce((sum, r) => sum + r.cpuTicks, 0),
            p50: bares.flatMap((r) => r.p50),
            p99: bares.flatMap((r) => r.p99),
          };
        });
        for (const r of [...bareRows, ...twins.keys()]) {
          const rps = r.requests / r.seconds;
          // Against its twin's slices, run beside its own; the bare route itself is 1.
          const baseline = twins.get(r) ?? r;
          const bareRps = baseline.requests / baseline.seconds;
          const sample: Sample = {
            round,
            rps,
            cpuUs: (r.cpuTicks * 1e6) / TICKS_PER_SECOND / Math.max(r.requests, 1),
            p50: median(r.p50),
            p99: median(r.p99),
            ratio: rps / bareRps,
            ok: r.requests - r.failed,
            failed: r.failed,
          };
          const key = `${r.variant}/${scenario}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
          options.log(
            `round ${round} ${scenario.padEnd(5)} ${r.variant.padEnd(22)} ${rps.toFixed(0).padStart(6)} req/s  ` +
              `p50 ${sample.p50.toFixed(2)} ms  p99 ${sample.p99.toFixed(1)} ms  cpu ${sample.cpuUs.toFixed(1)} µs/req  ` +
              `ratio ${sample.ratio.toFixed(3)}${r.failed ? `  FAILED ${r.failed}` : ''}`,
          );
        }
      }
    }
  } finally {
    await redis.connect().catch(() => undefined);
    const keys = await redis.keys(`${prefix}*`).catch(() => [] as string[]);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    ownedRedis?.stop();
  }

  const results: VariantResult[] = [];
  for (const scenario of options.scenarios) {
    for (const variant of variants) {
      const list = samples.get(`${variant}/${scenario}`) ?? [];
      results.push({
        variant,
        scenario,
        label: LABELS[variant],
        samples: list,
        median: {
          rps: median(list.map((s) => s.rps)),
          cpuUs: median(list.map((s) => s.cpuUs)),
          p50: median(list.map((s) => s.p50)),
          p99: median(list.map((s) => s.p99)),
          ratio: median(list.map((s) => s.ratio)),
        },
        ...targetOf(variant, scenario),
      });
    }
  }
  const { log: _log, outDir, probe: _probe, ...recorded } = options;
  const report: BenchResults = {
    date: new Date().toISOString(),
    loader: LOADER,
    node: process.version,
    cpus: availableParallelism(),
    pinned: pin !== undefined,
    redis: ownedRedis?.label ?? 'none',
    options: recorded,
    results,
  };
  if (outDir !== undefined) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(outDir, 'results.md'), renderTable(report));
    writeFileSync(join(outDir, 'chart.svg'), renderChart(report));
  }
  return report;
}

/** The target of a variant in a scenario, as results.json records it. */
function targetOf(
  variant: Variant,
  scenario: Scenario,
): Pick<VariantResult, 'target' | 'beats'> | undefined {
  const target = TARGETS.find((t) => t.variant === variant && t.scenario === scenario);
  if (target === undefined) return undefined;
  return 'min' in target ? { target: target.min } : { beats: [...target.beats] };
}

function option(name: string, fallback: number): number {
  const value = process.env[`BENCH_${name}`];
  return value === undefined ? fallback : Number(value);
}

// `node dist/bench/bench/run.js`: the full run, results written beside this file's source.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const smoke = process.argv.includes('--smoke');
  const only = process.env.BENCH_VARIANTS?.split(',') as Variant[] | undefined;
  runBench({
    rounds: smoke ? 1 : option('ROUNDS', 3),
    duration: option('DURATION', 6),
    warmup: option('WARMUP', 3),
    connections: option('CONNECTIONS', 10),
    smoke,
    variants: only ?? VARIANTS,
    scenarios: (process.env.BENCH_SCENARIOS?.split(',') as Scenario[] | undefined) ?? SCENARIOS,
    outDir: smoke ? undefined : (process.env.BENCH_OUT ?? join(ROOT, 'bench')),
    log: (line) => console.log(line),
  }).then(
    (report) => {
      if (!smoke)
        console.log(
          `\n${renderTable(report)}\nwritten: bench/results.json, bench/results.md, bench/chart.svg`,
        );
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
