/*
 * A model of how Argo Rollouts v1.9.1 judges a measurement (utils/evaluate/evaluate.go), for the
 * conditions Aviary writes. Argo Rollouts compiles each condition with github.com/antonmedv/expr
 * v1.15.5 (the module later renamed expr-lang/expr) against the environment
 * `{ result, isNaN, isInf, … }` and runs it; this file evaluates the same subset of the language:
 * numbers, `true`/`false`, `result`, `result[i]`, `len(x)`, `isNaN(x)`, `isInf(x)`, comparisons,
 * `!`/`not`, `&&`/`and`, `||`/`or` and parentheses, with expr's precedence (or < and < comparison
 * < unary). Semantics kept: an unknown name is a compile error (the environment is typed); an
 * index past the end is a run-time error; `&&` and `||` short-circuit; comparisons follow Go's
 * float64 rules (every comparison with NaN is false, except `!=`); the condition must yield a
 * bool. Anything outside the subset is rejected rather than guessed.
 */

/** What the Prometheus provider hands the condition: a vector's values, or a scalar. */
export type MeasurementResult = number | readonly number[];

/** A condition that does not compile or run; Argo Rollouts marks the measurement `Error`. */
export class ExprError extends Error {}

type Value = number | boolean | readonly number[];

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(&&|\|\||==|!=|<=|>=|[<>!()[\],])|([A-Za-z_]\w*))/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match || match[0].trim() === '') {
      if (source.slice(at).trim() === '') break;
      throw new ExprError(`unexpected token at ${at}: ${source.slice(at, at + 10)}`);
    }
    tokens.push((match[1] ?? match[2] ?? match[3])!);
  }
  return tokens;
}

const FUNCTIONS: Readonly<Record<string, (value: Value) => Value>> = {
  len: (value) => {
    if (!Array.isArray(value))
      throw new ExprError(`invalid argument for len (type ${typeOf(value)})`);
    return value.length;
  },
  isNaN: (value) => Number.isNaN(float(value, 'isNaN')),
  isInf: (value) => !Number.isFinite(float(value, 'isInf')) && !Number.isNaN(value),
};

function typeOf(value: Value): string {
  return Array.isArray(value) ? '[]float64' : typeof value === 'boolean' ? 'bool' : 'float64';
}

function float(value: Value, where: string): number {
  if (typeof value !== 'number')
    throw new ExprError(`${where}: expected a number, got ${typeOf(value)}`);
  return value;
}

function bool(value: Value, where: string): boolean {
  if (typeof value !== 'boolean')
    throw new ExprError(`${where}: expected bool, got ${typeOf(value)}`);
  return value;
}

/** Evaluates `condition` with `result` bound as Argo Rollouts binds it; throws {@link ExprError}. */
export function evalCondition(condition: string, result: MeasurementResult): boolean {
  const tokens = tokenize(condition);
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string) => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new ExprError(`expected ${expected ?? 'a token'} at token ${position}, got ${token}`);
    }
    return token;
  };
  // Each parser returns a thunk: names are checked while parsing (expr's compile step), values
  // are computed only when run, so `&&` can skip its right side like expr's jump.
  type Node = () => Value;
  const or = (): Node => {
    let left = and();
    while (peek() === '||' || peek() === 'or') {
      take();
      const [l, r] = [left, and()];
      left = () => bool(l(), '||') || bool(r(), '||');
    }
    return left;
  };
  const and = (): Node => {
    let left = not();
    while (peek() === '&&' || peek() === 'and') {
      take();
      const [l, r] = [left, not()];
      left = () => bool(l(), '&&') && bool(r(), '&&');
    }
    return left;
  };
  const not = (): Node => {
    if (peek() === '!' || peek() === 'not') {
      take();
      const operand = not();
      return () => !bool(operand(), '!');
    }
    return comparison();
  };
  const comparison = (): Node => {
    const left = postfix();
    const op = peek();
    if (op === undefined || !['==', '!=', '<', '<=', '>', '>='].includes(op)) return left;
    take();
    const right = postfix();
    return () => compare(op, left(), right());
  };
  const postfix = (): Node => {
    let node = primary();
    while (peek() === '[') {
      take('[');
      const [target, index] = [node, or()];
      take(']');
      node = () => {
        const array = target();
        const i = float(index(), 'index');
        if (!Array.isArray(array)) throw new ExprError(`cannot index ${typeOf(array)}`);
        if (!Number.isInteger(i) || i < 0 || i >= array.length) {
          throw new ExprError(`index out of range: ${i} (array length is ${array.length})`);
        }
        return (array as readonly number[])[i]!;
      };
    }
    return node;
  };
  const primary = (): Node => {
    const token = take();
    if (/^\d/.test(token)) return () => Number(token);
    if (token === 'true' || token === 'false') return () => token === 'true';
    if (token === '(') {
      const inner = or();
      take(')');
      return inner;
    }
    if (token === 'result') return () => result;
    const fn = FUNCTIONS[token];
    if (fn) {
      take('(');
      const argument = or();
      take(')');
      return () => fn(argument());
    }
    throw new ExprError(`unknown name ${token}`);
  };

  const program = or();
  if (position !== tokens.length) throw new ExprError(`unexpected token ${tokens[position]}`);
  return bool(program(), 'condition');
}

function compare(op: string, left: Value, right: Value): boolean {
  if (op === '==' || op === '!=') {
    const equal = typeof left === typeof right && left === right;
    return op === '==' ? equal : !equal;
  }
  const [a, b] = [float(left, op), float(right, op)];
  // JavaScript's relational operators are false with NaN, as Go's are.
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/** A measurement's phase, as Argo Rollouts names it. */
export type Phase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** The conditions of one AnalysisTemplate metric. */
export interface Conditions {
  readonly successCondition?: string;
  readonly failureCondition?: string;
}

/**
 * `evaluate.EvaluateResult` of Argo Rollouts v1.9.1: a condition that fails to run is `Error`;
 * with only a success condition its negation is failure (and vice versa); failure wins; neither
 * holding is `Inconclusive`; no condition at all is `Successful`.
 */
export function evaluateResult(result: MeasurementResult, metric: Conditions): Phase {
  let success = false;
  let failure = false;
  try {
    if (metric.successCondition) success = evalCondition(metric.successCondition, result);
    if (metric.failureCondition) failure = evalCondition(metric.failureCondition, result);
  } catch (error) {
    if (error instanceof ExprError) return 'Error';
    throw error;
  }
  if (!metric.successCondition && !metric.failureCondition) return 'Successful';
  if (metric.successCondition && !metric.failureCondition) failure = !success;
  if (!metric.successCondition && metric.failureCondition) success = !failure;
  if (failure) return 'Failed';
  return success ? 'Successful' : 'Inconclusive';
}
