/** -1, 0 or 1 as `a` comes before, with or after `b`: for sort comparators (a bigint and a number compare by value). */
export function compareOrder<T extends number | bigint | string>(a: T, b: T): -1 | 0 | 1 {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
}
