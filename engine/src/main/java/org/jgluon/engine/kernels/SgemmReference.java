package org.jgluon.engine.kernels;

/**
 * The plain scalar twin of {@link Sgemm}: {@code C = alpha * op(A) * op(B) + beta * C}, row-major,
 * summed in double. The test oracle only; slow.
 */
public final class SgemmReference {

    private SgemmReference() {}

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                // beta = 0 ignores C entirely (it may hold NaN), as in BLAS.
                double old = beta == 0f ? 0 : (double) beta * c[ci];
                c[ci] = (float) (alpha * s + old);
            }
        }
    }
}
