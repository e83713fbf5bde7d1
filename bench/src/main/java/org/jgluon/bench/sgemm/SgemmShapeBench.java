package org.jgluon.bench.sgemm;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What jgluon's and OpenBLAS's SGEMM benchmarks share, so that the two always run the same shapes
 * ({@link SgemmShape}), thread counts and JMH settings: a ratio between them is only meaningful
 * when nothing else differs. The {@code gflop} secondary result is GFLOPS.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
public abstract class SgemmShapeBench {

    @Param({"256", "512", "1024", "2048",
            "conv1@224", "conv2@224", "conv3@224", "conv4@224", "conv5@224",
            "conv1@96", "conv2@96", "conv3@96", "conv4@96", "conv5@96",
            "conv2@224.dW", "conv2@224.dX", "dense1@224", "dense1@224.dX", "dense1@224.dW"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    protected SgemmShape s;
    protected float[] a, b, c;

    /** Fills {@link #s} and the operands A, B, C for {@link #shape}. */
    protected void loadOperands() {
        s = SgemmShape.of(shape);
        float[][] ops = s.operands();
        a = ops[0];
        b = ops[1];
        c = ops[2];
    }
}
