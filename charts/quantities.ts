import { k8s } from 'cdk8s-plus-27';

/*
 * Sizes the charts write as Kubernetes quantities (requests, limits, quotas, volumes), typed so
 * that a CPU amount cannot stand where memory is meant and a typo is a compile error rather than
 * a string a regex has to catch. Each is held as a whole number of its smallest unit, so sums and
 * products are exact, and rendered in the largest unit that divides it ('1Gi', not '1024Mi').
 */

/** An amount of CPU, in whole millicores. */
export class Cpu {
  readonly #millicores: number;

  private constructor(millicores: number) {
    this.#millicores = checkWhole('millicores', millicores);
  }

  /** An amount of `millicores`; {@link millicores} and {@link cores} read better. */
  static of(millicores: number): Cpu {
    return new Cpu(millicores);
  }

  /** The amount in millicores. */
  get millicores(): number {
    return this.#millicores;
  }

  /** The sum of this and `other`. */
  plus(other: Cpu): Cpu {
    return new Cpu(this.#millicores + other.#millicores);
  }

  /** This amount `count` times. */
  times(count: number): Cpu {
    return new Cpu(this.#millicores * count);
  }

  /** Whether this amount is at most `other`. */
  fitsIn(other: Cpu): boolean {
    return this.#millicores <= other.#millicores;
  }

  /** As Kubernetes writes it: whole cores as a number ('2'), anything else in millicores ('500m'). */
  toString(): string {
    const m = this.#millicores;
    return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
  }
}

const BINARY_UNITS = [
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
] as const;

/** An amount of memory or storage, in whole bytes. */
export class Bytes {
  readonly #bytes: number;

  private constructor(bytes: number) {
    this.#bytes = checkWhole('bytes', bytes);
  }

  /** An amount of `bytes`; {@link mebibytes} and {@link gibibytes} read better. */
  static of(bytes: number): Bytes {
    return new Bytes(bytes);
  }

  /** The amount in bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The sum of this and `other`. */
  plus(other: Bytes): Bytes {
    return new Bytes(this.#bytes + other.#bytes);
  }

  /** This amount `count` times. */
  times(count: number): Bytes {
    return new Bytes(this.#bytes * count);
  }

  /** Whether this amount is at most `other`. */
  fitsIn(other: Bytes): boolean {
    return this.#bytes <= other.#bytes;
  }

  /** As Kubernetes writes it, in the largest binary unit that divides it ('1Gi', '160Mi'). */
  toString(): string {
    const [suffix, size] = BINARY_UNITS.find(([, size]) => this.#bytes % size === 0) ?? ['', 1];
    return `${this.#bytes / size}${suffix}`;
  }
}

function checkWhole(unit: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`Invalid size: ${value} ${unit}. Use a whole number of ${unit}, 0 or more.`);
  }
  return value;
}

/** `count` thousandths of a CPU core, e.g. `millicores(100)` for '100m'. */
export const millicores = (count: number): Cpu => Cpu.of(count);
/** `count` whole CPU cores, e.g. `cores(2)` for '2'. */
export const cores = (count: number): Cpu => Cpu.of(count * 1000);
/** `count` MiB, e.g. `mebibytes(64)` for '64Mi'. */
export const mebibytes = (count: number): Bytes => Bytes.of(count * 2 ** 20);
/** `count` GiB, e.g. `gibibytes(1)` for '1Gi'. */
export const gibibytes = (count: number): Bytes => Bytes.of(count * 2 ** 30);

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
