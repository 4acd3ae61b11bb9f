import { contractProblems, type Answer } from './contract.js';

/** Largest body read: a bird is well under a kilobyte; anything far larger is broken. */
const MAX_BODY_BYTES = 64 * 1024;

/** The outcome of one check. */
export interface CheckResult {
  readonly ok: boolean;
  /** Why the answer breaks the contract, or why none came. */
  readonly problems: readonly string[];
  readonly durationMs: number;
}

/**
 * Calls `GET {birdUrl}/` as an API client would (`Accept: application/json`) and checks the
 * answer against the contract; no answer within `timeoutMs` is a failure too.
 */
export async function checkBird(birdUrl: string, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const done = (problems: string[]): CheckResult => ({
    ok: problems.length === 0,
    problems,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    const answer = await fetchAnswer(`${birdUrl}/`, AbortSignal.timeout(timeoutMs));
    return done(contractProblems(answer));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return done([`no answer: ${reason}`]);
  }
}

async function fetchAnswer(url: string, signal: AbortSignal): Promise<Answer> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal });
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`body larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? undefined,
    body: Buffer.concat(chunks).toString('utf8'),
  };
}
