package org.jgluon.bench.sgemm;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.Sgemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * jgluon's SGEMM on square and AlexNet im2col shapes ({@link SgemmShape}), on 1 and 2 threads.
 * The {@code gflop} secondary result is GFLOPS. Run e.g.
 * {@code ./jgluon bench jmh SgemmBench -p shape=1024 -p threads=1}.
 */
public class SgemmBench extends SgemmShapeBench {

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        loadOperands();
    }

    @Benchmark
    public float sgemm(GflopCounter counter) {
        Sgemm.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, s.lda(), b, 0, s.ldb(), 0f, c, 0, s.n());
        counter.gflop += s.gflop();
        return c[0];
    }
}
