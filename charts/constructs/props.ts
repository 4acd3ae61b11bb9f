/**
 * Throws the error every Aviary construct throws on a bad prop: it names the construct and the
 * prop, shows the value, and says how to fix it.
 *
 * @example
 * failProp('WebService "bird"', 'replicas.min', 1, 'use at least 2 so a drain never blocks');
 */
export function failProp(owner: string, prop: string, value: unknown, fix: string): never {
  throw new Error(`${owner}: invalid ${prop} ${JSON.stringify(value)}: ${fix}`);
}

// RFC 1123 label, the rule for Service, Namespace and most other object names.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// RFC 1035 label: a Service name must also start with a letter.
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks a name that must be an RFC 1123 DNS label (at most 63 characters). */
export function checkDnsLabel(owner: string, prop: string, value: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    failProp(owner, prop, value, 'use lower-case letters, digits and "-" (at most 63 characters)');
  }
}

/** Checks a name that must be an RFC 1035 label, as Service names are. */
export function checkServiceName(owner: string, prop: string, value: string): void {
  if (value.length > 63 || !DNS_1035_LABEL.test(value)) {
    failProp(owner, prop, value, 'start with a letter; use lower-case letters, digits and "-"');
  }
}

/** Checks a name that must be an RFC 1123 DNS subdomain, as host names and class names are. */
export function checkDnsSubdomain(owner: string, prop: string, value: string): void {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    failProp(owner, prop, value, 'use a lower-case DNS name such as "aviary.example.com"');
  }
}

/** Checks that `value` is a whole number within `[min, max]`. */
export function checkInteger(
  owner: string,
  prop: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    failProp(owner, prop, value, `use a whole number from ${min} to ${max}`);
  }
}
