package org.jgluon.bench.conv;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.Pool2dAvgKernels;
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
 * AlexNet's 3×3 stride-2 pooling layers at batch 128, max and average: the training forward, the
 * predict forward and the backward (avg: train and predict are the same pass). To compare with
 * another build, run the same benchmark from that build's jar in the same session, alternating
 * (the session-3 rewrite was measured that way against a copy of the previous kernels, which
 * commit a424d53 still has as {@code PoolBenchOldKernel}).
 *
 * <p>Counters (in "ops/s"): {@code gbps} is the traffic the current design must at least make,
 * per second: forward reads x,
 * writes y (and the winners when training); backward reads dy (max: and the winners), reads and
 * writes dx. {@code moutputs} is millions
 * of outputs per second: 1000 / moutputs = ns per output.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar PoolBench \
 *        -p size=96 -p kind=max -p threads=2 -f 1 -wi 2 -i 3
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

    @Param({"train", "predict", "backward"})
    public String pass;

    @Param({"224"})
    public int size;

    @Param({"128"})
    public int batch;

    @Param({"2"})
    public int threads;

    private Pool2dGeometry g;
    private float[] x, y, dy, dx;
    private int[] winners;
    private double bytes;

    /** The achieved memory traffic in GB/s and the outputs per second (millions), reported next to the rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rate {
        public double gbps;
        public double moutputs;
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
        winners = new int[dy.length];
        Pool2dKernels.maxForward(g, x, 0, y, 0, winners); // the winners the backward routes dy to
        boolean max = kind.equals("max");
        bytes = 4.0 * (pass.equals("backward") ? dy.length * (max ? 2 : 1) + 2.0 * x.length
                                               : x.length + y.length * (max && pass.equals("train") ? 2 : 1));
    }

    @Benchmark
    public void run(Rate rate) {
        boolean train = pass.equals("train");
        if (kind.equals("max")) {
            if (pass.equals("backward")) Pool2dKernels.maxBackward(g, winners, dy, 0, dx, 0);
            else Pool2dKernels.maxForward(g, x, 0, y, 0, train ? winners : null);
        } else if (pass.equals("backward")) {
            Pool2dAvgKernels.backward(g, true, dy, 0, dx, 0);
        } else {
            Pool2dAvgKernels.forward(g, true, x, 0, y, 0);
        }
        rate.gbps += bytes / 1e9;
        rate.moutputs += y.length / 1e6;
    }
}
