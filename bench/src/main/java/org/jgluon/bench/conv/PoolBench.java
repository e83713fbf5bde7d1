package org.jgluon.bench.conv;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.Pool2dGeometry;
import org.jgluon.engine.kernels.Pool2dKernels;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * AlexNet's 3×3 stride-2 pooling layers at batch 128, max (with the argmax saved) and average,
 * forward and backward. The {@code gbps} counter (in "ops/s") is the memory traffic the pass must
 * at least make (input and output, plus the argmax for max) per second: compare with the
 * machine's ≈ 35 GB/s on one core, ≈ 65 on two.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar PoolBench \
 *        -p layer=pool1 -p threads=2 -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class PoolBench {

    @Param({"pool1", "pool2", "pool3"})
    public String layer;

    @Param({"max", "avg"})
    public String kind;

    @Param({"forward", "backward"})
    public String pass;

    @Param({"224"})
    public int size;

    @Param({"128"})
    public int batch;

    @Param({"2"})
    public int threads;

    private Pool2dGeometry g;
    private float[] x, y, dy, dx;
    private int[] argmax;
    private double bytes;

    /** The achieved memory traffic in GB/s, reported by JMH next to the rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rate {
        public double gbps;
    }

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        g = AlexNetLayers.pool(layer, size, batch);
        Random r = new Random(42);
        x = ConvBench.random(r, g.planes() * g.inPixels());
        dy = ConvBench.random(r, g.planes() * g.outPixels());
        y = new float[dy.length];
        dx = new float[x.length];
        argmax = new int[dy.length];
        Pool2dKernels.maxForward(g, x, 0, y, 0, argmax);
        boolean max = kind.equals("max");
        // forward reads x, writes y (and argmax); backward reads dy (and argmax), adds into dx
        bytes = 4.0 * (pass.equals("forward") ? x.length + y.length * (max ? 2 : 1)
                                              : dy.length * (max ? 2 : 1) + 2.0 * x.length);
    }

    @Benchmark
    public void run(Rate rate) {
        boolean max = kind.equals("max");
        if (pass.equals("forward")) {
            if (max) Pool2dKernels.maxForward(g, x, 0, y, 0, argmax);
            else Pool2dKernels.avgForward(g, true, x, 0, y, 0);
        } else {
            if (max) Pool2dKernels.maxBackward(g, dy, 0, argmax, dx, 0);
            else Pool2dKernels.avgBackward(g, true, dy, 0, dx, 0);
        }
        rate.gbps += bytes / 1e9;
    }
}
