package org.jgluon.bench.conv;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Conv2dKernels;
import org.jgluon.engine.kernels.Conv2dPasses;
import org.jgluon.engine.ops.ConvOps;
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
 * AlexNet's convolutions (seed-experiment.md) at batch 128: forward, backward to the data,
 * backward to the weights (+ bias), and forward+backward together. The {@code gflops} counter
 * (reported in "ops/s") is the achieved rate (2·N·F·C·kh·kw·OH·OW per pass); compare with the machine's FMA peak
 * (≈ 205 GFLOPS per core, ≈ 390 on two).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ConvBench \
 *        -p layer=conv2 -p pass=step -p threads=2 -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class ConvBench {

    @Param({"conv1", "conv2", "conv3", "conv4", "conv5"})
    public String layer;

    /** forward, data (backward to x), weights (backward to w and bias), step (all three). */
    @Param({"forward", "data", "weights", "step"})
    public String pass;

    @Param({"224"})
    public int size;

    @Param({"128"})
    public int batch;

    @Param({"2"})
    public int threads;

    private Conv2dGeometry g;
    /** The path a network takes for this layer ({@link ConvOps#usesWinograd}). */
    private boolean winograd;
    private float[] x, w, bias, y, dy, dx, dw, db;

    /** The achieved GFLOPS, reported by JMH next to the time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rate {
        public double gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        g = AlexNetLayers.conv(layer, size, batch);
        winograd = ConvOps.usesWinograd(g);
        Random r = new Random(42);
        x = random(r, g.n() * g.c() * g.inPixels());
        w = random(r, g.f() * g.colRows());
        bias = random(r, g.f());
        dy = random(r, g.n() * g.f() * g.outPixels());
        y = new float[dy.length];
        dx = new float[x.length];
        dw = new float[w.length];
        db = new float[g.f()];
    }

    @Benchmark
    public void run(Rate rate) {
        double passes = 0;
        if (pass.equals("forward") || pass.equals("step")) {
            Conv2dPasses.forward(winograd, g, x, 0, w, 0, bias, 0, y, 0);
            passes++;
        }
        if (pass.equals("data") || pass.equals("step")) {
            Conv2dPasses.backwardData(winograd, g, dy, 0, w, 0, dx, 0, true);
            passes++;
        }
        if (pass.equals("weights") || pass.equals("step")) {
            Conv2dPasses.backwardWeights(winograd, g, x, 0, dy, 0, dw, 0, true);
            Conv2dKernels.backwardBias(g, dy, 0, db, 0);
            passes++;
        }
        rate.gflops += passes * g.flops() / 1e9;
    }

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int j = 0; j < n; j++) a[j] = r.nextFloat() - 0.5f;
        return a;
    }
}
