/**
 * The inputs docs/capacity.md quotes, read from where they come from (bench/RESULTS.md,
 * bench/HISTORY.md, dist/, the code) and written as the doc writes them, so that a test can
 * hold the doc's "Inputs" table against them cell by cell.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_IMAGE_TTL_MS } from '../../../apps/bird/upstreams/bird-image/lookup.js';
import { production } from '../../../charts/environments.js';
import type {
  ConfigMap,
  Deployment,
  HorizontalPodAutoscaler,
  LimitRange,
  PodDisruptionBudget,
  ResourceQuota,
} from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';

/** The repository's root. */
export const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/** A Markdown table: its header's cells and its rows' cells, trimmed, separator left out. */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const cellsOf = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());

/**
 * The first table of `markdown` whose header begins with the cells `columns`; throws, naming
 * `source`, when there is none.
 */
export function tableStartingWith(markdown: string, source: string, ...columns: string[]): Table {
  const lines = markdown.split('\n');
  for (const [index, line] of lines.entries()) {
    const header = cellsOf(line);
    if (!line.startsWith('|') || !columns.every((column, i) => header[i] === column)) continue;
    const body = lines.slice(index + 2);
    const end = body.findIndex((row) => !row.startsWith('|'));
    return { header, rows: body.slice(0, end < 0 ? undefined : end).map(cellsOf) };
  }
  throw new Error(`${source} has no table whose header begins "| ${columns.join(' | ')} |"`);
}

/** The cell of `table` in the first row whose first cell is `row`, under the header `column`. */
export function cellOf(table: Table, row: string, column: string | RegExp): string {
  const x = table.header.findIndex((cell) =>
    typeof column === 'string' ? cell === column : column.test(cell),
  );
  const found = table.rows.find((cells) => cells[0] === row);
  if (x < 0 || !found)
    throw new Error(`no cell "${row}" × ${String(column)} in | ${table.header.join(' | ')} |`);
  return found[x]!;
}

/**
 * The measured inputs, as bench/RESULTS.md (written by bench/report.ts) and HISTORY.md's
 * section 9 record them. The one place that knows RESULTS.md's layout: if bench/report.ts
 * changes it, adjust here.
 */
export function recordedInputs(results: string, history: string): Record<string, string> {
  const file = 'bench/RESULTS.md';
  const headline = () => tableStartingWith(results, file, 'process', 'CPU µs/req');
  const scenarios = () => tableStartingWith(results, file, 'scenario', 'server', 'CPU µs/req');
  const rss = () =>
    tableStartingWith(history, 'bench/HISTORY.md', 'process', 'RSS, peak / at the end');
  // A figure is `median (lowest–highest)`; RSS is `125 MB (119.2 MiB)`.
  const median = (cell: string) => `${cell.split(' (')[0]} µs`;
  const mebibytes = (cell: string) => `${/\(([\d.,]+) MiB\)/.exec(cell)?.[1]} MiB`;
  const atRate = /^RSS at [\d,]+ req\/s/;
  const readers: Record<string, () => string> = {
    c_4k: () => median(cellOf(headline(), 'the two', 'CPU µs/req')),
    c_1k: () => median(cellOf(scenarios(), 'bird `GET /`, 1,000 req/s', 'CPU µs/req')),
    rss_b: () => mebibytes(cellOf(headline(), 'bird', atRate)),
    rss_i: () => mebibytes(cellOf(headline(), 'bird-image', atRate)),
    idle_b: () => mebibytes(cellOf(headline(), 'bird', 'RSS at idle')),
    idle_i: () => mebibytes(cellOf(headline(), 'bird-image', 'RSS at idle')),
    file_b: () => cellOf(rss(), 'bird, loaded', 'file-backed'),
    file_i: () => cellOf(rss(), 'birdImage, idle', 'file-backed'),
  };
  // A layout that does not parse is reported per input, as the value the doc fails to match.
  return Object.fromEntries(
    Object.entries(readers).map(([symbol, reader]) => {
      try {
        return [symbol, reader()];
      } catch (error) {
        return [symbol, (error as Error).message];
      }
    }),
  );
}

/** The one value all of `values` hold, or a string saying they differ (which no doc quotes). */
function same(values: readonly unknown[], what: string): string {
  const distinct = [...new Set(values.map(String))];
  return distinct.length === 1 ? distinct[0]! : `${what} differ: ${distinct.join(', ')}`;
}

/** The dist/ values the doc quotes; each one every object it names holds. */
export function distInputs(manifests: readonly Manifest[]): Record<string, string> {
  const resources = ofKind<Deployment>(manifests, 'Deployment').map(
    (d) => d.spec.template.spec.containers[0]!.resources!,
  );
  const autoscalers = ofKind<HorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler');
  const resource = (side: 'requests' | 'limits', name: 'cpu' | 'memory') =>
    same(
      resources.map((r) => r[side]?.[name]),
      `${name} ${side}`,
    );
  const metric = (name: string) =>
    autoscalers.map((hpa) => hpa.spec.metrics!.find((m) => m.resource?.name === name)!.resource!);
  const quota = ofKind<ResourceQuota>(manifests, 'ResourceQuota')[0]!.spec.hard;
  const limits = ofKind<LimitRange>(manifests, 'LimitRange')[0]!.spec.limits;
  const birdImage = ofKind<ConfigMap>(manifests, 'ConfigMap').find(
    (c) => c.metadata.name === 'bird-image',
  );
  return {
    r: resource('requests', 'cpu'),
    L: resource('limits', 'cpu'),
    m_req: resource('requests', 'memory'),
    m_lim: resource('limits', 'memory'),
    u: `${same(
      metric('cpu').map((m) => m.target.averageUtilization),
      'CPU targets',
    )} %`,
    hpa_mem: same(
      metric('memory').map((m) => m.target.averageValue),
      'memory targets',
    ),
    min: same(
      autoscalers.map((hpa) => hpa.spec.minReplicas),
      'minReplicas',
    ),
    max: same(
      autoscalers.map((hpa) => hpa.spec.maxReplicas),
      'maxReplicas',
    ),
    pdb: same(
      ofKind<PodDisruptionBudget>(manifests, 'PodDisruptionBudget').map(
        (p) => p.spec.maxUnavailable,
      ),
      'maxUnavailable',
    ),
    lr_cpu: same(
      limits.map((limit) => limit.max?.cpu),
      'LimitRange max.cpu',
    ),
    q_pods: String(quota.pods),
    q_cpu: String(quota['requests.cpu']),
    q_mem: String(quota['requests.memory']),
    q_lcpu: String(quota['limits.cpu']),
    q_lmem: String(quota['limits.memory']),
    B: String(birdImage?.data?.UNSPLASH_SEARCHES_PER_HOUR),
  };
}

/** `5 min`, `24 h`, `2 s`: a duration in milliseconds the way the doc writes it. */
export function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/**
 * `ttlMs` or `missTtlMs` of the cache a lookup module declares, a product of integers such as
 * `5 * 60 * 1000`: the protocols that hold them are not exported, so their source is read.
 */
function ttlIn(file: string, field: 'ttlMs' | 'missTtlMs'): string {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  const product = new RegExp(`\\b${field}: ([\\d_ *]+),`).exec(source)?.[1];
  if (!product) return `no ${field} as a product of integers in ${file}`;
  return duration(product.split('*').reduce((ms, factor) => ms * Number(factor.trim()), 1));
}

/** The inputs the code holds: the key, the catalog, the caches' TTLs. */
export function codeInputs(): Record<string, string> {
  const catalog = JSON.parse(
    readFileSync(path.join(ROOT, 'apps/bird/facts/catalog.json'), 'utf8'),
  ) as { name: string }[];
  return {
    K: production.unsplashSearchesPerHour.toLocaleString('en-US'),
    N: String(new Set(catalog.map(({ name }) => name)).size),
    T_b: ttlIn('apps/bird/upstreams/bird-image/lookup.ts', 'ttlMs'),
    T_def: duration(DEFAULT_IMAGE_TTL_MS),
    T_i: ttlIn('apps/bird-image/upstreams/unsplash/lookup.ts', 'ttlMs'),
    T_miss: ttlIn('apps/bird-image/upstreams/unsplash/lookup.ts', 'missTtlMs'),
  };
}
