import type { Agent } from 'node:http';
import type { Usage } from './child.js';
import { atFixedRate, connectionPool, flatOut, percentiles, type Phase } from './load.js';
import type { Role, ServerProcess } from './processes.js';
import { spreadOf, type Spread } from './stats.js';

/** The two servers of a comparison: the service measured, and the bare server it is read against. */
export type Side = 'service' | 'bare';

/** A figure of the service next to the bare server's, over the same rounds. */
export type Paired = Readonly<Record<Side, Spread>>;

/** One of the service's processes over the rounds at the fixed rate. */
export interface ProcessFigures {
  readonly role: Role;
  /** Its CPU µs per request loaded on the service (for a process behind it, per request of the first). */
  readonly cpuUs: Spread;
  /** The highest RSS sampled at the end of its slices, in bytes. */
  readonly highestRssBytes: number;
}

/** A service and a bare server answering the same bytes, measured in alternating rounds. */
export interface Comparison {
  readonly name: string;
  /** What shows the scenario exercised what it says, e.g. calls that reached the upstream. */
  readonly check: string;
  /** The fixed rate of the rounds, in req/s. */
  readonly rate: number;
  /** Requests sent to the service in all rounds. */
  readonly requests: number;
  /**
   * CPU µs per request, the service's processes together; `cpuRatio` is each round's service
   * figure over the bare server's.
   */
  readonly cpuUs: Paired;
  readonly cpuRatio: Spread;
  /** Each of the service's processes, the one the load goes to first. */
  readonly processes: readonly ProcessFigures[];
  /** The highest sum of the processes' RSS sampled at the end of the same slice, in bytes. */
  readonly highestRssBytes: number;
  /** Latency at the fixed rate. */
  readonly p50Ms: Paired;
  readonly p99Ms: Paired;
  /** The service's non-2xx answers, errors and timeouts in all rounds. */
  readonly failures: number;
  /** Reported, never judged: saturation depends on the load generator and the neighbours. */
  readonly flatOut: Readonly<Record<Side, Phase>>;
}

/** How long a comparison runs: `rounds` of `roundS` s per server at `rate` req/s, `flatOutS` flat out. */
export interface Plan {
  readonly rounds: number;
  readonly roundS: number;
  readonly rate: number;
  /** Seconds flat out after the rounds, and as long to warm up before them (JIT, caches). */
  readonly flatOutS: number;
}

/** Slices per round: the two servers take turns this often, so that both meet the same machine. */
const SLICES = 8;

/** The order in which the two servers take their turns within a round. */
const SIDES: readonly Side[] = ['service', 'bare'];

/**
 * The processes of one side, the first the one loaded (the others answer it: birdImage behind
 * bird), and the keep-alive pool its load goes over.
 */
type Loaded = { readonly processes: readonly ServerProcess[]; readonly agent: Agent };

/** One side's figures over a round; per process in the order of {@link Loaded}. */
type Round = {
  readonly requests: number;
  /** CPU µs per request of each process, and of all of them together. */
  readonly cpuUsEach: readonly number[];
  readonly cpuUs: number;
  readonly highestRssBytesEach: readonly number[];
  readonly highestRssBytes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
};

/**
 * Warms the service up, gives the bare server one of its real answers to send, then measures the
 * two in rounds at the fixed rate, each round {@link SLICES} turns of each server; then each flat
 * out. `service` lists the service's processes, the one loaded first: the CPU time of all of them
 * counts against its requests.
 */
export async function compare(
  plan: Plan,
  { service, bare }: { readonly service: readonly ServerProcess[]; readonly bare: ServerProcess },
  path: () => string,
): Promise<Omit<Comparison, 'name' | 'check'>> {
  const url = service[0]!.url;
  await flatOut(url, path, plan.flatOutS);
  await bare.usage(await (await fetch(`${url}${path()}`)).text());
  await flatOut(bare.url, path, plan.flatOutS);
  const servers = {
    service: { processes: service, agent: connectionPool() },
    bare: { processes: [bare], agent: connectionPool() },
  };
  const rounds: Record<Side, Round>[] = [];
  for (let round = 0; round < plan.rounds; round += 1) {
    rounds.push(await measureRound(servers, path, plan));
  }
  for (const side of SIDES) servers[side].agent.destroy();
  const paired = (figure: (round: Round) => number): Paired => ({
    service: spreadOf(rounds.map((round) => figure(round.service))),
    bare: spreadOf(rounds.map((round) => figure(round.bare))),
  });
  const highest = (figure: (round: Round) => number) =>
    Math.max(...rounds.map((round) => figure(round.service)));
  return {
    rate: plan.rate,
    requests: rounds.reduce((sum, round) => sum + round.service.requests, 0),
    cpuUs: paired((round) => round.cpuUs),
    cpuRatio: spreadOf(rounds.map(({ service, bare }) => service.cpuUs / bare.cpuUs)),
    processes: service.map((server, at) => ({
      role: server.role,
      cpuUs: spreadOf(rounds.map((round) => round.service.cpuUsEach[at]!)),
      highestRssBytes: highest((round) => round.highestRssBytesEach[at]!),
    })),
    highestRssBytes: highest((round) => round.highestRssBytes),
    p50Ms: paired((round) => round.p50Ms),
    p99Ms: paired((round) => round.p99Ms),
    failures: rounds.reduce((sum, round) => sum + round.service.failures, 0),
    flatOut: {
      service: await flatOut(url, path, plan.flatOutS),
      bare: await flatOut(bare.url, path, plan.flatOutS),
    },
  };
}

/** One round: the servers take turns at the fixed rate, `roundS` s each in all. */
async function measureRound(
  servers: Readonly<Record<Side, Loaded>>,
  path: () => string,
  { rate, roundS }: Plan,
): Promise<Record<Side, Round>> {
  const tallies = { service: new Tally(servers.service), bare: new Tally(servers.bare) };
  for (let slice = 0; slice < SLICES; slice += 1) {
    for (const side of SIDES) {
      const { processes, agent } = servers[side];
      const usage = () => Promise.all(processes.map((server) => server.usage()));
      const before = await usage();
      const phase = await atFixedRate(processes[0]!.url, path, {
        rate,
        seconds: roundS / SLICES,
        agent,
      });
      tallies[side].add(phase, before, await usage());
    }
  }
  return { service: tallies.service.round(), bare: tallies.bare.round() };
}

/** What one side's slices of a round add up to. */
class Tally {
  private readonly latencies: number[] = [];
  private failures = 0;
  private readonly cpuUs: number[];
  private readonly highestRss: number[];
  private highestRssTogether = 0;

  constructor({ processes }: Loaded) {
    this.cpuUs = processes.map(() => 0);
    this.highestRss = processes.map(() => 0);
  }

  /** A slice: its load, and each process's usage before and after it (RSS sampled after). */
  add(phase: { latencies: number[]; failures: number }, before: Usage[], after: Usage[]) {
    this.latencies.push(...phase.latencies);
    this.failures += phase.failures;
    after.forEach((usage, at) => {
      this.cpuUs[at]! += usage.cpuUs - before[at]!.cpuUs;
      this.highestRss[at] = Math.max(this.highestRss[at]!, usage.rssBytes);
    });
    const together = after.reduce((sum, usage) => sum + usage.rssBytes, 0);
    this.highestRssTogether = Math.max(this.highestRssTogether, together);
  }

  round(): Round {
    const requests = this.latencies.length + this.failures;
    const cpuUsEach = this.cpuUs.map((cpuUs) => cpuUs / requests);
    return {
      requests,
      cpuUsEach,
      cpuUs: cpuUsEach.reduce((sum, cpuUs) => sum + cpuUs, 0),
      highestRssBytesEach: this.highestRss,
      highestRssBytes: this.highestRssTogether,
      failures: this.failures,
      ...percentiles(this.latencies),
    };
  }
}
