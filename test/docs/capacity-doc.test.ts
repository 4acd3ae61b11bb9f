/**
 * docs/capacity.md works capacity out on paper: each input it quotes must be what its source
 * records (bench/RESULTS.md, bench/HISTORY.md, dist/, the code), and each figure it derives must
 * be what its stated formula gives from those inputs. A failure shows the expected cells.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mebibytes, millicores, parseQuantity } from '../../charts/quantities.js';
import { loadManifests } from '../support/manifests.js';
import {
  ROOT,
  codeInputs,
  distInputs,
  recordedInputs,
  tableStartingWith,
  type Table,
} from './support/capacity-inputs.js';

const DOC = 'docs/capacity.md';
const doc = readFileSync(path.join(ROOT, DOC), 'utf8');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** `symbol → cell` of a doc table whose first column holds each row's symbol in backticks. */
function bySymbol(table: Table, column = 1): Record<string, string> {
  return Object.fromEntries(
    table.rows.map((cells) => [/^`([^`]+)`/.exec(cells[0]!)?.[1] ?? cells[0]!, cells[column]!]),
  );
}

const quoted = bySymbol(tableStartingWith(doc, DOC, 'symbol', 'value'));
const perScale = tableStartingWith(doc, DOC, 'quantity');
const today = bySymbol(tableStartingWith(doc, DOC, 'figure', 'value'));
const assumed = (symbol: string) =>
  new RegExp(`\`${symbol}\` = \\*\\*([^*]+)\\*\\*`).exec(doc)?.[1] ?? `no ${symbol} in ${DOC}`;

const CPU = new Set(['r', 'L', 'lr_cpu', 'q_cpu', 'q_lcpu', 'r_s', 'L_s', 'A_cpu']);

/**
 * A quoted value in the model's units: µs, MiB, millicores, seconds, a fraction for a
 * percentage, a count otherwise.
 */
function valueOf(symbol: string, text: string): number {
  const [, amount = '', unit = ''] = /^([\d.,]+) ?(.*)$/.exec(text) ?? [];
  const n = Number(amount.replaceAll(',', ''));
  if (CPU.has(symbol)) return parseQuantity(text) * 1000;
  if (/^[KMGT]i$/.test(unit)) return parseQuantity(text) / 2 ** 20;
  const scale: Record<string, number> = { '%': 0.01, h: 3600, min: 60, s: 1 };
  return n * (scale[unit] ?? 1);
}

const inputs = Object.fromEntries(
  Object.entries({ ...quoted, A_cpu: assumed('A_cpu'), A_mem: assumed('A_mem') }).map(
    ([symbol, text]) => [symbol, valueOf(symbol, text)],
  ),
);
const v = (symbol: string) => inputs[symbol] ?? NaN;

const count = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const cpu = (m: number) => millicores(m).toString();
const memory = (mi: number) => mebibytes(mi).toString();
// Quotients that are whole on paper must not round up on a floating-point crumb.
const ceil = (x: number) => Math.ceil(x - 1e-9);
const floor = (x: number) => Math.floor(x + 1e-9);

/** The figures of one column of "Per scale", by the doc's formulas. */
function scale(rate: number, column: Record<string, string>): Record<string, string> {
  const choice = (symbol: string) => valueOf(symbol, column[symbol]!);
  const rS = choice('r_s');
  const lS = choice('L_s');
  const c = v(/^`(c_\w+)`$/.exec(column.c_s!)?.[1] ?? '');
  const used = (rate * c) / 1000; // millicores
  const atTarget = v('u') * rS; // millicores a pod runs at, at the autoscaler's target
  const pods = Math.max(v('min'), ceil(used / atTarget));
  const maxB = Math.max(v('max'), ceil((2 * used) / atTarget));
  const podsI = v('min');
  const requests = (b: number, i: number) => ({
    cpu: b * rS + i * v('r'),
    mem: (b + i) * v('m_req'),
  });
  const nodes = (b: number, i: number) =>
    Math.max(
      2,
      ceil(b / floor(v('A_cpu') / rS)),
      ceil(requests(b, i).cpu / v('A_cpu')),
      ceil(requests(b, i).mem / v('A_mem')),
    );
  const max = v('max');
  // Today's quota less today's peak of the services: what it leaves the checks and the solvers.
  const peak = (b: number, perB: number, perI: number, quota: string) =>
    2 * (b * perB + max * perI) + (v(quota) - 4 * max * perI);
  return {
    cpu: count(used / 1000),
    R_pod: count(floor((atTarget * 1000) / c)),
    P: count(pods),
    M_b: count(maxB),
    P_i: count(podsI),
    calls: count((pods * v('N')) / v('T_b')),
    calls_def: count((pods * v('N')) / v('T_def')),
    req_cpu: cpu(requests(pods, podsI).cpu),
    req_mem: memory(requests(pods, podsI).mem),
    nodes: count(nodes(pods, podsI)),
    nodes_rel: count(nodes(2 * pods, 2 * podsI)),
    Q_pods: count(peak(maxB, 1, 1, 'q_pods')),
    Q_cpu: cpu(peak(maxB, rS, v('r'), 'q_cpu')),
    Q_mem: memory(peak(maxB, v('m_req'), v('m_req'), 'q_mem')),
    Q_lcpu: cpu(peak(maxB, lS, v('L'), 'q_lcpu')),
    Q_lmem: memory(peak(maxB, v('m_lim'), v('m_lim'), 'q_lmem')),
    B_sh: count(floor(v('K') / (2 * maxB))),
    W_sh: count(2 * maxB * v('N')),
  };
}

/** The figures of "What dist/ allows today", by the doc's formulas. */
function allowedToday(): Record<string, string> {
  const hourly = (ttl: number) => count((v('min') * v('N') * 3600) / ttl);
  return {
    R_tgt: count(floor((v('max') * v('u') * v('r') * 1000) / v('c_1k'))),
    R_lim: count(floor((v('max') * v('L') * 1000) / v('c_4k'))),
    R_one: count(floor((v('L') * 1000) / v('c_4k'))),
    M_key: count(floor(v('K') / (2 * v('N')))),
    C_key: count(floor(v('K') / v('N'))),
    S_lo: hourly(v('T_i')),
    S_hi: hourly(v('T_miss')),
    W: count(2 * v('max') * v('N')),
  };
}

/** Of `expected`, the entries `actual` gives otherwise: `{}` when they agree. */
function differences(actual: Record<string, string>, expected: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(expected)
      .filter(([symbol, value]) => actual[symbol] !== value)
      .map(([symbol, value]) => [symbol, `${DOC} has ${actual[symbol]}, expected ${value}`]),
  );
}

describe(DOC, () => {
  it('quotes the measurements as bench/RESULTS.md and HISTORY.md record them', () => {
    const recorded = recordedInputs(read('bench/RESULTS.md'), read('bench/HISTORY.md'));
    expect(differences(quoted, recorded)).toEqual({});
  });

  it('quotes the manifests as dist/ holds them', () => {
    expect(differences(quoted, distInputs(loadManifests()))).toEqual({});
  });

  it('quotes the key, the catalog and the caches as the code holds them', () => {
    expect(differences(quoted, codeInputs())).toEqual({});
  });

  it('quotes no input it is not checked against', () => {
    const checked = [
      ...Object.keys(recordedInputs(read('bench/RESULTS.md'), read('bench/HISTORY.md'))),
      ...Object.keys(distInputs(loadManifests())),
      ...Object.keys(codeInputs()),
    ];
    expect(Object.keys(quoted).sort()).toEqual(checked.sort());
  });

  it('derives every figure per scale with its formulas', () => {
    const rates = perScale.header.slice(1).map((cell) => Number(cell.replace(/[^\d]/g, '')));
    expect(rates).toEqual([100, 1000, 10_000, 100_000]);
    rates.forEach((rate, i) => {
      const column = bySymbol(perScale, i + 1);
      expect({ rate, ...differences(column, scale(rate, column)) }).toEqual({ rate });
    });
  });

  it('says the Unsplash key breaks first at the first scale whose budget falls short', () => {
    const changes = doc.slice(doc.indexOf('## What to change'), doc.indexOf('## Assumptions'));
    const named = changes
      .split('\n- ')
      .find((bullet) => bullet.includes('breaks first'))
      ?.match(/^\*\*([\d,]+ req\/s)\*\*/)?.[1];
    const first = perScale.header.slice(1).find((rate, i) => {
      const figures = scale(Number(rate.replace(/[^\d]/g, '')), bySymbol(perScale, i + 1));
      return Number(figures.B_sh) < v('N') || Number(figures.W_sh!.replaceAll(',', '')) > v('K');
    });
    expect(named).toBe(first);
  });

  it('chooses bird pods the LimitRange admits, each request within its limit', () => {
    const oversized = perScale.header.slice(1).filter((_rate, i) => {
      const column = bySymbol(perScale, i + 1);
      const [request, limit] = ['r_s', 'L_s'].map((symbol) => valueOf(symbol, column[symbol]!));
      return !(request! <= limit! && limit! <= v('lr_cpu'));
    });
    expect(oversized).toEqual([]);
  });

  it('derives what dist/ allows today with its formulas', () => {
    expect(differences(today, allowedToday())).toEqual({});
  });
});
