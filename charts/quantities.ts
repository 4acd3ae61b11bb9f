import { k8s } from 'cdk8s-plus-27';

/*
 * Sizes the charts write as Kubernetes quantities (requests, limits, quotas, volumes), typed so
 * that a CPU amount cannot stand where memory is meant and a typo is a compile error rather than
 * a string a regex has to catch. Each is held as a whole number of its smallest unit, so sums and
 * products are exact, and rendered in the largest unit that divides it ('1Gi', not '1024Mi').
 */

/** How one kind of amount is counted and written: its smallest unit, and suffixes largest first. */
interface Units {
  readonly name: string;
  readonly suffixes: readonly (readonly [suffix: string, size: number])[];
}

const CPU_UNITS: Units = {
  name: 'millicores',
  suffixes: [
    ['', 1000],
    ['m', 1],
  ],
};
const BYTE_UNITS: Units = {
  name: 'bytes',
  suffixes: [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
    ['', 1],
  ],
};

/** What CPU and byte amounts share: a whole count of the smallest unit, and exact arithmetic. */
abstract class Amount<Self extends Amount<Self>> {
  protected constructor(
    /** The amount in the smallest unit (millicores, bytes). */
    protected readonly count: number,
    private readonly units: Units,
  ) {
    if (!Number.isSafeInteger(count) || count < 0) {
      const { name } = units;
      throw new Error(`Invalid size: ${count} ${name}. Use a whole number of ${name}, 0 or more.`);
    }
  }

  protected abstract withCount(count: number): Self;

  /** The sum of this and `other`. */
  plus(other: Self): Self {
    return this.withCount(this.count + other.count);
  }

  /** This amount `times` times. */
  times(times: number): Self {
    return this.withCount(this.count * times);
  }

  /** Whether this amount is at most `other`. */
  fitsIn(other: Self): boolean {
    return this.count <= other.count;
  }

  /** As Kubernetes writes it, in the largest unit that divides it: '2', '500m', '1Gi', '160Mi'. */
  toString(): string {
    const [suffix, size] = this.units.suffixes.find(([, size]) => this.count % size === 0)!;
    return `${this.count / size}${suffix}`;
  }
}

/** An amount of CPU, in whole millicores; {@link millicores} and {@link cores} make one. */
export class Cpu extends Amount<Cpu> {
  /** Tells the two kinds apart, so that a Bytes is never accepted for a Cpu. */
  readonly kind = 'cpu';
  constructor(millicores: number) {
    super(millicores, CPU_UNITS);
  }
  protected withCount = (count: number) => new Cpu(count);
}

/** An amount of memory or storage, in whole bytes; {@link mebibytes} and {@link gibibytes} make one. */
export class Bytes extends Amount<Bytes> {
  /** Tells the two kinds apart, so that a Cpu is never accepted for a Bytes. */
  readonly kind = 'bytes';
  constructor(bytes: number) {
    super(bytes, BYTE_UNITS);
  }
  protected withCount = (count: number) => new Bytes(count);

  /** The whole MiB in it, rounded down: what Node's size flags (`--max-old-space-size`) take. */
  get wholeMebibytes(): number {
    return Math.floor(this.count / 2 ** 20);
  }
}

/** `count` thousandths of a CPU core, e.g. `millicores(100)` for '100m'. */
export const millicores = (count: number): Cpu => new Cpu(count);
/** `count` whole CPU cores, e.g. `cores(2)` for '2'. */
export const cores = (count: number): Cpu => millicores(count * 1000);
/** `count` MiB, e.g. `mebibytes(64)` for '64Mi'. */
export const mebibytes = (count: number): Bytes => new Bytes(count * 2 ** 20);
/** `count` GiB, e.g. `gibibytes(1)` for '1Gi'. */
export const gibibytes = (count: number): Bytes => mebibytes(count * 1024);

/** What each suffix of a Kubernetes quantity multiplies by, for reading rendered manifests. */
const QUANTITY_SUFFIXES: Readonly<Record<string, number>> = {
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/**
 * A quantity as a rendered manifest writes it (`100m`, `256Mi`, `2`), as a number of cores or
 * bytes; NaN for anything else. The reverse of what the sizes above render, for the tests and the
 * bench that read `dist/`.
 */
export function parseQuantity(value: string | number | undefined): number {
  if (value === undefined) return NaN;
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value);
  if (!match) return NaN;
  return Number(match[1]) * QUANTITY_SUFFIXES[match[2] ?? '']!;
}

/** A typed size as the `k8s` L1 objects take it. */
export function quantity(size: Cpu | Bytes): k8s.Quantity {
  return k8s.Quantity.fromString(size.toString());
}

/** CPU, memory and node disk of one container, or of many added up. */
export interface ContainerSizes {
  readonly cpu: Cpu;
  readonly memory: Bytes;
  readonly ephemeralStorage: Bytes;
}

/** A container's requests and limits. */
export interface ContainerResources {
  readonly requests: ContainerSizes;
  readonly limits: ContainerSizes;
}

/** `sizes` as a container's `resources.requests` or `.limits` (or a LimitRange's) write them. */
export function resourceList(sizes: ContainerSizes): Record<string, k8s.Quantity> {
  return {
    cpu: quantity(sizes.cpu),
    memory: quantity(sizes.memory),
    'ephemeral-storage': quantity(sizes.ephemeralStorage),
  };
}
