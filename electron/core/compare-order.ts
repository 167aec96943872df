/** -1, 0 or 1 as `a` comes before, with or after `b`: for sort comparators (a bigint and a number compare by value). */
export function compareOrder<T extends number | bigint | string>(a: T, b: T): -1 | 0 | 1 {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
}

/**
 * Compares ids as people read versions: runs of digits by their value, the rest as text, so
 * `0.9.1` < `0.10.1`, `2.5.9` < `2.5.10`, and `9_x` < `10_x`.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const [x, y] = [a.split(/(\d+)/), b.split(/(\d+)/)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i] ?? '', y[i] ?? ''];
    // split() with a capture group puts the digit runs at odd indexes.
    const order = i % 2 === 1 ? compareOrder(BigInt(p), BigInt(q)) : compareOrder(p, q);
    if (order !== 0) {
      return order;
    }
  }
  return compareOrder(x.length, y.length);
}
