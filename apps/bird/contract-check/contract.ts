import { httpUrl } from '../../shared/valid-url.js';

/** What the check saw of one answer of bird's `GET /`. */
export interface Answer {
  readonly status: number;
  /** The `Content-Type` header, if any. */
  readonly contentType: string | undefined;
  readonly body: string;
}

/**
 * How `answer` breaks bird's contract (docs/contract.md#bird): `200 application/json` with a `name`, a
 * `description` and an http(s) `image` URL, all non-empty strings. A disguised bird keeps the
 * contract (it is the designed degradation); the alerts on fallbacks cover that. No problem: an
 * empty list.
 */
export function contractProblems(answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status !== 200) problems.push(`status ${answer.status}, expected 200`);
  if (!/^application\/json\b/.test(answer.contentType ?? '')) {
    problems.push(`content-type ${JSON.stringify(answer.contentType)}, expected application/json`);
  }
  let bird: unknown;
  try {
    bird = JSON.parse(answer.body);
  } catch {
    return [...problems, 'body is not JSON'];
  }
  if (typeof bird !== 'object' || bird === null || Array.isArray(bird)) {
    return [...problems, 'body is not a JSON object'];
  }
  const fields = bird as Record<string, unknown>;
  for (const field of ['name', 'description'] as const) {
    const value = fields[field];
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${field} is not a non-empty string`);
    }
  }
  if (httpUrl(fields.image) === undefined) problems.push('image is not an http(s) URL');
  return problems;
}
