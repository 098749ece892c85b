/**
 * Kubernetes resource quantities ("100m", "1.5Gi", "129e6", 0.5), parsed exactly: the value is
 * kept as a fraction of big integers so "0.1" CPU is 100 millicores, not 100.00000000000001.
 * Grammar and rounding follow k8s.io/apimachinery/pkg/api/resource (values round up, as
 * Quantity.Value() and MilliValue() do).
 */
import { PluginError } from '../errors.ts';

/** A quantity that does not parse, or that makes no sense where it is used; a 422 on its own. */
export class QuantityError extends PluginError {
  constructor(message: string) {
    super('invalid', message);
    this.name = 'QuantityError';
  }
}

/** value = numerator / denominator, denominator > 0. */
export interface ExactQuantity {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const DECIMAL_SUFFIX: Record<string, bigint> = {
  '': 0n,
  n: -9n,
  u: -6n,
  m: -3n,
  k: 3n,
  M: 6n,
  G: 9n,
  T: 12n,
  P: 15n,
  E: 18n,
};
const BINARY_SUFFIX: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };

// Longer strings and larger exponents than any real quantity; the bounds keep BigInt work small.
const MAX_LENGTH = 128;
const MAX_EXPONENT = 308n;

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;
const EXPONENT = /^[eE]([+-]?\d+)$/;

const HINT =
  'expected a number with an optional suffix: n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e<exponent>';

function garbage(q: string | number, why = HINT): QuantityError {
  return new QuantityError(`${JSON.stringify(q)} is not a valid Kubernetes quantity (${why})`);
}

/** Parses a quantity exactly. Throws QuantityError for anything Kubernetes would not accept. */
export function parseQuantityExact(q: string | number): ExactQuantity {
  let text: string;
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw garbage(q, 'not a finite number');
    text = String(q);
  } else if (typeof q === 'string') {
    // The API server trims JSON quantity strings the same way before parsing.
    text = q.trim();
  } else {
    throw garbage(String(q), 'not a string or a number');
  }
  if (text === '') throw garbage(q, 'empty');
  if (text.length > MAX_LENGTH)
    throw garbage(q.toString().slice(0, 20), `longer than ${MAX_LENGTH} characters`);

  const m = QUANTITY.exec(text);
  if (!m) throw garbage(q);
  const [, sign, whole = '', fraction = '', suffix = ''] = m;
  if (whole === '' && fraction === '') throw garbage(q, 'no digits');

  let numerator = BigInt(`${whole}${fraction}` || '0');
  let denominator = 10n ** BigInt(fraction.length);
  let exp10 = 0n;

  const exponent = EXPONENT.exec(suffix);
  if (Object.hasOwn(DECIMAL_SUFFIX, suffix)) {
    exp10 = DECIMAL_SUFFIX[suffix] as bigint;
  } else if (Object.hasOwn(BINARY_SUFFIX, suffix)) {
    numerator *= 2n ** (BINARY_SUFFIX[suffix] as bigint);
  } else if (exponent) {
    exp10 = BigInt(exponent[1] as string);
    if (exp10 > MAX_EXPONENT || exp10 < -MAX_EXPONENT) throw garbage(q, 'exponent out of range');
  } else {
    throw garbage(q, `unknown suffix ${JSON.stringify(suffix)}; ${HINT}`);
  }
  if (exp10 >= 0n) numerator *= 10n ** exp10;
  else denominator *= 10n ** -exp10;
  if (sign === '-') numerator = -numerator;
  return { numerator, denominator };
}

/** The value in base units (cores for cpu, bytes for memory), as a float. */
export function parseQuantity(q: string | number): number {
  const { numerator, denominator } = parseQuantityExact(q);
  return Number(numerator) / Number(denominator);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? quotient + 1n : quotient;
}

/** ceil(q × scale), exactly; what Kubernetes' ScaledValue does. */
export function scaledCeil(q: ExactQuantity, scale: bigint): bigint {
  return ceilDiv(q.numerator * scale, q.denominator);
}

/** ceil(q ÷ divisor), exactly: the downward API's rounding. Throws for a zero divisor. */
export function divideCeil(q: ExactQuantity, divisor: ExactQuantity): bigint {
  if (divisor.numerator === 0n) throw new QuantityError('a divisor of 0 is not allowed');
  return ceilDiv(q.numerator * divisor.denominator, q.denominator * divisor.numerator);
}

function nonNegative(q: string | number, what: string): ExactQuantity {
  const exact = parseQuantityExact(q);
  if (exact.numerator < 0n)
    throw new QuantityError(`${JSON.stringify(q)} is negative; a ${what} must be >= 0`);
  return exact;
}

function safeNumber(value: bigint, q: string | number): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new QuantityError(`${JSON.stringify(q)} is too large`);
  return Number(value);
}

/** CPU in millicores, rounded up: the granularity the kubelet works in (Quantity.MilliValue()). */
export function cpuToMilliCpus(q: string | number): number {
  return safeNumber(scaledCeil(nonNegative(q, 'CPU quantity'), 1000n), q);
}

/** CPU in nano-cores, rounded up: Docker's NanoCpus (`docker run --cpus` is this ÷ 1e9). */
export function cpuToNanoCpus(q: string | number): number {
  return safeNumber(scaledCeil(nonNegative(q, 'CPU quantity'), 1_000_000_000n), q);
}

/** CPU as a `docker run --cpus` value with at most 3 decimals (millicores, rounded up): "0.1", "2.5". */
export function cpuToDockerCpus(q: string | number): string {
  const milli = scaledCeil(nonNegative(q, 'CPU quantity'), 1000n);
  const fraction = (milli % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${milli / 1000n}.${fraction}` : `${milli / 1000n}`;
}

/** The kubelet's CFS period (100 ms) and its smallest quota (1 ms). */
export const CPU_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1000;

/** The kubelet's CFS quota for a CPU limit (milliCPUToQuota): milliCPU × period ÷ 1000, at least 1 ms. */
export function cpuLimitToQuota(q: string | number): number {
  const milli = cpuToMilliCpus(q);
  if (milli === 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((milli * CPU_PERIOD_US) / 1000));
}

const MIN_SHARES = 2;
const MAX_SHARES = 262_144;

/** The kubelet's CPU shares for a CPU request (MilliCPUToShares): milliCPU × 1024 ÷ 1000, in [2, 262144]. */
export function cpuRequestToShares(q: string | number): number {
  const milli = scaledCeil(nonNegative(q, 'CPU quantity'), 1000n);
  const shares = (milli * 1024n) / 1000n;
  if (shares < BigInt(MIN_SHARES)) return MIN_SHARES;
  if (shares > BigInt(MAX_SHARES)) return MAX_SHARES;
  return Number(shares);
}

/** Memory in whole bytes, rounded up (Quantity.Value()). */
export function memoryToBytes(q: string | number): number {
  return safeNumber(scaledCeil(nonNegative(q, 'memory quantity'), 1n), q);
}
