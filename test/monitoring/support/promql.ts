import { parser } from '@prometheus-io/lezer-promql';
import { POD_TARGET_LABELS, targetLabelName } from '../../../charts/monitoring/target-labels.js';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** An expression and where it comes from, e.g. `alert AviaryHighLatency`. */
export interface Expression {
  readonly source: string;
  readonly expr: string;
}

/** A label matcher of a vector selector, e.g. `status=~"5.."`. */
export interface Matcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
}

/** A vector selector: a metric name and its matchers. */
export interface Selector {
  readonly metric: string;
  readonly matchers: readonly Matcher[];
}

/** What the official grammar makes of an expression. */
export interface ParsedExpression {
  /** One entry per error node: the grammar could not read the text at that position. */
  readonly errors: readonly string[];
  readonly selectors: readonly Selector[];
}

/**
 * Grafana's built-in variables, replaced the way Grafana interpolates them before it sends a
 * query: `[$__rate_interval]` is not PromQL until then.
 */
const GRAFANA_VARIABLES: Readonly<Record<string, string>> = {
  $__rate_interval: '1m',
  $__interval: '15s',
  $__range: '1h',
};

/** `expr` with Grafana's variables replaced by durations, as Prometheus receives it. */
export function interpolateGrafana(expr: string): string {
  return expr.replace(/\$__\w+/g, (name) => GRAFANA_VARIABLES[name] ?? name);
}

/**
 * Parses `expr` with `@prometheus-io/lezer-promql`, the grammar of Prometheus's own UI. Lezer
 * never throws: it recovers and marks what it could not read with error nodes (type `⚠`,
 * `node.type.isError`), which become `errors` here.
 */
export function parsePromql(expr: string): ParsedExpression {
  const errors: string[] = [];
  const selectors: Selector[] = [];
  const text = (node: SyntaxNode | null) => (node ? expr.slice(node.from, node.to) : '');
  parser.parse(expr).iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        const near = expr.slice(Math.max(0, ref.from - 20), ref.to + 20);
        errors.push(`syntax error at ${ref.from}: …${near}…`);
      } else if (ref.name === 'VectorSelector') {
        const node = ref.node;
        selectors.push({
          metric: text(node.getChild('Identifier')),
          matchers: (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map(
            (matcher) => ({
              label: text(matcher.getChild('LabelName')),
              op: text(matcher.getChild('MatchOp')),
              value: JSON.parse(text(matcher.getChild('StringLiteral'))) as string,
            }),
          ),
        });
      }
    },
  });
  return { errors, selectors };
}

/** Where the metric names an expression may use come from. */
export interface KnownMetrics {
  /** Series names the real services expose, histogram suffixes included, with their label names. */
  readonly exposed: ReadonlyMap<string, ReadonlySet<string>>;
  /** Names from the platform (kube-state-metrics, cAdvisor, Prometheus), each with why. */
  readonly platform: Readonly<Record<string, string>>;
}

/**
 * Labels Prometheus adds to every scraped sample of a ServiceMonitor target: its target labels
 * and the pod label the ServiceMonitor copies (`podTargetLabels`).
 */
export const TARGET_LABELS = new Set([
  'namespace',
  'job',
  'service',
  'pod',
  'container',
  'endpoint',
  'instance',
  ...POD_TARGET_LABELS.map(targetLabelName),
]);

/**
 * Everything wrong with `expressions`: text the grammar cannot read, a selector without a
 * metric name, a metric neither the services nor the platform expose, a matcher on a label
 * the service's metric does not have, and a selector not scoped to `namespace`.
 */
export function expressionProblems(
  expressions: readonly Expression[],
  known: KnownMetrics,
  namespace: string,
): string[] {
  return expressions.flatMap(({ source, expr }) => {
    const parsed = parsePromql(interpolateGrafana(expr));
    const problems = parsed.errors.map((error) => `${source}: ${error}`);
    for (const { metric, matchers } of parsed.selectors) {
      const labels = known.exposed.get(metric);
      if (!metric) problems.push(`${source}: a selector has no metric name`);
      else if (!labels && !(metric in known.platform)) {
        problems.push(
          `${source}: ${metric} is neither exposed by the services nor a known platform metric`,
        );
      }
      for (const { label } of matchers) {
        if (labels && labels.size > 0 && !labels.has(label) && !TARGET_LABELS.has(label)) {
          problems.push(`${source}: ${metric} has no label ${label}`);
        }
      }
      // A component scraped in its own namespace keeps the object's namespace as
      // `exported_namespace` (cert-manager's Certificates).
      const scope = ['namespace', 'exported_namespace'];
      if (!matchers.some((m) => scope.includes(m.label) && m.op === '=' && m.value === namespace)) {
        problems.push(
          `${source}: ${metric || 'a selector'} is not scoped to namespace="${namespace}"`,
        );
      }
    }
    return problems;
  });
}
