import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { checkDnsLabel } from './props.js';

/** Props every {@link NamespacedChart} takes. */
export interface NamespacedChartProps {
  /** The namespace of every object of the chart: the environment's `namespace`. */
  readonly namespace: string;
}

/**
 * A chart whose objects all live in one namespace, under stable names (no hash suffixes: the
 * Services must be reachable as `bird` and `bird-image`). It checks the namespace once, so each
 * chart starts from a valid {@link namespaceName} and an {@link owner} to quote in its own prop
 * errors.
 */
export abstract class NamespacedChart extends Chart {
  /** The namespace of every object of the chart. */
  readonly namespaceName: string;
  /** How prop errors name the chart, e.g. `ServicesChart "services"`. */
  protected readonly owner: string;

  constructor(scope: Construct, id: string, kind: string, props: NamespacedChartProps) {
    const { namespace } = props;
    super(scope, id, { namespace, disableResourceNameHashes: true });
    this.namespaceName = namespace;
    this.owner = `${kind} "${id}"`;
    checkDnsLabel(this.owner, 'namespace', namespace);
  }
}
