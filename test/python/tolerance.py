"""Comparisons for floating point that differs between machines.

numpy's SIMD loops (sin, arcsinh, ... on AVX-512 are not those on AVX2), BLAS
kernels (pywt's np.convolve and the model's matmuls sum in another order) and
glibc's FMA variants of libm change the last bits of a result from one x86-64 CPU
to another, so what they compute is never compared bit for bit. The unit is the
spacing of the dtype at the largest expected magnitude, not at each value: a
value that is a sum of larger terms (a signal plus noise, a convolution) carries
rounding errors of the size of those terms, and counted in its own ulps a value
near zero would differ by thousands.
"""
import numpy as np


def assert_within_ulps(actual, expected, ulps, label):
    """|actual - expected| <= ulps x spacing(max |expected|) in expected's dtype; NaN and infinities in the same places."""
    a = np.asarray(actual)
    e = np.asarray(expected)
    if a.shape != e.shape:
        raise AssertionError("%s: shape %s, expected %s" % (label, a.shape, e.shape))
    special = ~np.isfinite(e)
    same_special = np.where(np.isnan(e), np.isnan(a), a == e)
    mismatch = np.flatnonzero((special | ~np.isfinite(a)) & ~(special & same_special))
    if mismatch.size:
        i = mismatch[0]
        raise AssertionError("%s: %d NaN or infinite values are not matched on the other side, the first at %d: %r instead of %r"
                             % (label, mismatch.size, i, float(a.flat[i]), float(e.flat[i])))
    finite = ~special
    unit = float(np.spacing(np.abs(e[finite]).max())) if finite.any() else 0.0
    diff = np.zeros(e.shape)
    diff[finite] = np.abs(a[finite].astype(np.float64) - e[finite].astype(np.float64))
    bad = np.flatnonzero(diff > ulps * unit)
    if bad.size:
        i = bad[0]
        raise AssertionError("%s: %d of %d values differ by more than %g ulps of the largest value (%g), the first at %d: %r instead of %r (%.1f ulps)"
                             % (label, bad.size, e.size, ulps, ulps * unit, i, float(a.flat[i]), float(e.flat[i]), diff.flat[i] / unit))
