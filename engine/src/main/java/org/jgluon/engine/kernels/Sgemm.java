package org.jgluon.engine.kernels;

/**
 * Single-precision GEMM: {@code C = alpha * op(A) * op(B) + beta * C}, row-major, where
 * {@code op(X)} is X or its transpose. A is M×K after op, B is K×N after op, C is M×N.
 *
 * <p>TEMPORARY plain loop so the rest of the engine can be built against this signature; the
 * packed, register-blocked Vector API kernel replaces the body (issue 2).
 */
public final class Sgemm {

    private Sgemm() {}

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = alpha * s + (beta == 0f ? 0f : beta * c[ci]);
            }
        }
    }
}
