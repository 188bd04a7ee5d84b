/** numpy's assert_allclose rule: |actual − expected| ≤ atol + rtol·|expected|. */
export function expectClose(actual: number, expected: number, tol: { rtol?: number; atol?: number }, label = ''): void {
  const bound = (tol.atol ?? 0) + (tol.rtol ?? 0) * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= bound)) {
    throw new Error(`${label}: ${actual} differs from ${expected} by ${Math.abs(actual - expected)} > ${bound}`);
  }
}

/**
 * Two arrays with the same values bit for bit (NaN equal to NaN): a failure names
 * the first difference and the count, instead of a diff of every element (which
 * jest takes minutes to format for arrays of 10⁵ values).
 */
export function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>, label = ''): void {
  if (actual.length !== expected.length) throw new Error(`${label}: ${actual.length} values, expected ${expected.length}`);
  let first = -1;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count > 0) throw new Error(`${label}: ${count} of ${actual.length} values differ, the first at ${first}: ${actual[first]} instead of ${expected[first]}`);
}
