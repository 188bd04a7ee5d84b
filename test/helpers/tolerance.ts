/** numpy's assert_allclose rule: |actual − expected| ≤ atol + rtol·|expected|. */
export function expectClose(actual: number, expected: number, tol: { rtol?: number; atol?: number }, label = ''): void {
  const bound = (tol.atol ?? 0) + (tol.rtol ?? 0) * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= bound)) {
    throw new Error(`${label}: ${actual} differs from ${expected} by ${Math.abs(actual - expected)} > ${bound}`);
  }
}
