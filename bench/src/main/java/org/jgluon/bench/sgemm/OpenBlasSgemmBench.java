package org.jgluon.bench.sgemm;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The system OpenBLAS's {@code cblas_sgemm} on the same shapes as {@link SgemmBench}, through the
 * FFM API, with its AVX-512 kernels (see {@link OpenBlas} on the environment it clears). Where the
 * library is absent the benchmark prints why and does no work, reporting 0 GFLOPS
 * ({@code ./jgluon bench jmh} leaves it out altogether then).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
public class OpenBlasSgemmBench {

    @Param({"256", "512", "1024", "2048",
            "conv1@224", "conv2@224", "conv3@224", "conv4@224", "conv5@224",
            "conv1@96", "conv2@96", "conv3@96", "conv4@96", "conv5@96",
            "conv2@224.dW", "conv2@224.dX", "dense1@224", "dense1@224.dX", "dense1@224.dW"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private OpenBlas blas;
    private SgemmShape s;
    private float[] a, b, c;

    @Setup
    public void setup() {
        blas = OpenBlas.load().orElse(null);
        if (blas == null) {
            System.out.println("OpenBlasSgemmBench skipped: " + OpenBlas.absentReason());
            return;
        }
        System.out.println("OpenBLAS " + blas.path() + ", kernels: " + blas.coreName());
        blas.setThreads(threads);
        s = SgemmShape.of(shape);
        float[][] ops = s.operands();
        a = ops[0];
        b = ops[1];
        c = ops[2];
    }

    @Benchmark
    public float sgemm(GflopCounter counter) {
        if (blas == null) return 0f;
        blas.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, s.lda(), b, 0, s.ldb(), 0f, c, 0, s.n());
        counter.gflop += s.gflop();
        return c[0];
    }
}
