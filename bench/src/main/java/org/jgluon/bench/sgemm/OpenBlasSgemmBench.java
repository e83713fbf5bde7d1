package org.jgluon.bench.sgemm;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * The system OpenBLAS's {@code cblas_sgemm} on the same shapes as {@link SgemmBench}, through the
 * FFM API, with its AVX-512 kernels (see {@link OpenBlas} on the environment it clears). Where the
 * library is absent the benchmark prints why and does no work, reporting 0 GFLOPS
 * ({@code ./jgluon bench jmh} leaves it out altogether then).
 */
public class OpenBlasSgemmBench extends SgemmShapeBench {

    private OpenBlas blas;

    @Setup
    public void setup() {
        blas = OpenBlas.load().orElse(null);
        if (blas == null) {
            System.out.println("OpenBlasSgemmBench skipped: " + OpenBlas.absentReason());
            return;
        }
        System.out.println("OpenBLAS " + blas.path() + ", kernels: " + blas.coreName());
        blas.setThreads(threads);
        loadOperands();
    }

    @Benchmark
    public float sgemm(GflopCounter counter) {
        if (blas == null) return 0f;
        blas.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, s.lda(), b, 0, s.ldb(), 0f, c, 0, s.n());
        counter.gflop += s.gflop();
        return c[0];
    }
}
