package org.jgluon.bench.alloc;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.BatchNormKernels;
import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Conv2dKernels;
import org.jgluon.engine.kernels.Conv2dPasses;
import org.jgluon.engine.kernels.DenseKernels;
import org.jgluon.engine.kernels.Pool2dGeometry;
import org.jgluon.engine.kernels.Pool2dKernels;
import org.jgluon.engine.kernels.Sgemm;
import org.jgluon.engine.kernels.SoftmaxCrossEntropyKernels;
import org.jgluon.engine.ops.ConvOps;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Bytes allocated per call of each kernel of the AlexNet-BN training step at 96 (batch 128), in
 * steady state: run with {@code -prof gc} and read {@code gc.alloc.rate.norm} (B/op). Every buffer
 * is made once in setup, so what a kernel allocates per call is its own: a closure, a per-call
 * record, or a boxed vector (C2 failed to keep one in a register); the thread pool allocates
 * nothing per region ({@code baseline-region}). The whole step is {@code StepBench.train} (per
 * image: × 128 per step); the other kernels, without JMH: {@link org.jgluon.bench.step.KernelAllocation}.
 *
 * <pre>
 *   ./jgluon bench jmh KernelAllocBench -prof gc
 *   ./jgluon bench jmh 'KernelAllocBench|StepBench.train' -p res=96 -p net=alexnet_bn -prof gc
 * </pre>
 *
 * <p>{@code baseline-spin} is JMH's own floor (≈ 5 ms of arithmetic, nothing allocated: what JMH
 * allocates per iteration, divided by the calls) and {@code baseline-region} one empty parallel
 * region (the thread pool's own per-region allocation). Kernels: SGEMM 64³ (one thread: the shape class of the Winograd passes' thousands of small
 * products) and 1024³ (the thread grid); conv1 (11×11/4, im2col), conv2 (5×5, Winograd F(4,5))
 * and conv3 (3×3, Winograd) forward / backward to the data / to the weights and bias; dense
 * 4096 → 2048 forward (bias + ReLU fused) / data / weights; BatchNorm+ReLU on (128, 96, 22, 22)
 * forward (batch statistics) / backward; max pooling 3/2 on the same forward / backward;
 * softmax cross-entropy (128, 10) forward + backward.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 1)
public class KernelAllocBench {

    @Param({"baseline-spin", "baseline-region", "sgemm-64", "sgemm-1024",
        "conv1-forward", "conv1-data", "conv1-weights",
        "conv2-forward", "conv2-data", "conv2-weights",
        "conv3-forward", "conv3-data", "conv3-weights",
        "dense-forward", "dense-data", "dense-weights",
        "bnrelu-forward", "bnrelu-backward",
        "maxpool-forward", "maxpool-backward",
        "softmaxce"})
    public String kernel;

    @Param({"2"})
    public int threads;

    private static final int N = 128;

    private Runnable call;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        Random r = new Random(42);
        String[] k = kernel.split("-");
        call = switch (k[0]) {
            case "sgemm" -> sgemm(r, Integer.parseInt(k[1]));
            case "conv1" -> conv(r, Conv2dGeometry.of(N, 1, 96, 96, 96, 11, 11, 4, 4, 0, 0, 1, 1, 1), k[1]);
            case "conv2" -> conv(r, Conv2dGeometry.of(N, 96, 10, 10, 256, 5, 5, 1, 1, 2, 2, 1, 1, 1), k[1]);
            case "conv3" -> conv(r, Conv2dGeometry.of(N, 256, 4, 4, 384, 3, 3, 1, 1, 1, 1, 1, 1, 1), k[1]);
            case "dense" -> dense(r, 4096, 2048, k[1]);
            case "bnrelu" -> bnRelu(r, 96, 22 * 22, k[1]);
            case "maxpool" -> maxPool(r, Pool2dGeometry.of(N, 96, 22, 22, 3, 3, 2, 2, 0, 0, false), k[1]);
            case "softmaxce" -> softmaxCrossEntropy(r, 10);
            case "baseline" -> k[1].equals("spin") ? KernelAllocBench::spin : KernelAllocBench::emptyRegion;
            default -> throw new IllegalArgumentException("KernelAllocBench: unknown kernel '" + kernel + "'");
        };
    }

    @Benchmark
    public void call() {
        call.run();
    }

    /**
     * JMH's own floor: ≈ 5 ms of arithmetic that allocates nothing. What JMH itself allocates per
     * iteration, divided by the calls in it, reads as B/op here; kernels of a similar duration
     * carry the same.
     */
    private static void spin() {
        Blackhole.consumeCPU(2_000_000);
    }

    private static final Parallel.RangeBody NOTHING = (lo, hi) -> { };

    /** One parallel region with a body that captures nothing: what the thread pool itself allocates per region. */
    private static void emptyRegion() {
        Parallel.forRange(2, 1, NOTHING);
    }

    private static Runnable sgemm(Random r, int s) {
        float[] a = random(r, s * s), b = random(r, s * s), c = new float[s * s];
        return () -> Sgemm.sgemm(false, false, s, s, s, 1f, a, 0, s, b, 0, s, 0f, c, 0, s);
    }

    private static Runnable conv(Random r, Conv2dGeometry g, String pass) {
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows()), bias = random(r, g.f());
        float[] dy = random(r, g.n() * g.f() * g.outPixels()), y = new float[dy.length], dx = new float[x.length];
        float[] dw = new float[w.length], db = new float[g.f()];
        boolean winograd = ConvOps.usesWinograd(g); // the path a network takes for this layer
        return switch (pass) {
            case "forward" -> () -> Conv2dPasses.forward(winograd, g, x, 0, w, 0, bias, 0, y, 0);
            case "data" -> () -> Conv2dPasses.backwardData(winograd, g, dy, 0, w, 0, dx, 0, false);
            case "weights" -> () -> {
                Conv2dPasses.backwardWeights(winograd, g, x, 0, dy, 0, dw, 0, false);
                Conv2dKernels.backwardBias(g, dy, 0, db, 0, false);
            };
            default -> throw new IllegalArgumentException("KernelAllocBench: conv pass '" + pass + "'");
        };
    }

    private static Runnable dense(Random r, int in, int units, String pass) {
        float[] x = random(r, N * in), w = random(r, units * in), bias = random(r, units);
        float[] dy = random(r, N * units), y = new float[N * units], dx = new float[N * in], dw = new float[w.length];
        return switch (pass) {
            case "forward" -> () -> DenseKernels.forward(N, in, units, x, 0, w, 0, bias, 0, true, y, 0);
            case "data" -> () -> DenseKernels.backwardData(N, in, units, dy, 0, w, 0, 0f, dx, 0);
            case "weights" -> () -> DenseKernels.backwardWeights(N, in, units, dy, 0, x, 0, 0f, dw, 0);
            default -> throw new IllegalArgumentException("KernelAllocBench: dense pass '" + pass + "'");
        };
    }

    private static Runnable bnRelu(Random r, int channels, int inner, String pass) {
        int n = N * channels * inner;
        float[] x = random(r, n), z = new float[n], dz = random(r, n), dx = new float[n];
        float[] gamma = random(r, channels), beta = random(r, channels), mean = new float[channels];
        float[] var = new float[channels], invStd = new float[channels], dgamma = new float[channels], dbeta = new float[channels];
        BatchNormKernels.forwardTrain(x, 0, z, 0, N, channels, inner, gamma, beta, 1e-5f, true, mean, var, invStd);
        return switch (pass) {
            case "forward" -> () -> BatchNormKernels.forwardTrain(x, 0, z, 0, N, channels, inner, gamma, beta, 1e-5f, true,
                    mean, var, invStd);
            case "backward" -> () -> BatchNormKernels.backward(dz, 0, x, 0, dx, 0, false, N, channels, inner, gamma, beta,
                    mean, invStd, true, false, dgamma, dbeta);
            default -> throw new IllegalArgumentException("KernelAllocBench: bnrelu pass '" + pass + "'");
        };
    }

    private static Runnable maxPool(Random r, Pool2dGeometry g, String pass) {
        float[] x = random(r, g.planes() * g.inPixels()), dy = random(r, g.planes() * g.outPixels());
        float[] y = new float[dy.length], dx = new float[x.length];
        int[] winners = new int[dy.length];
        Pool2dKernels.maxForward(g, x, 0, y, 0, winners);
        return switch (pass) {
            case "forward" -> () -> Pool2dKernels.maxForward(g, x, 0, y, 0, winners);
            case "backward" -> () -> Pool2dKernels.maxBackward(g, winners, dy, 0, dx, 0, false);
            default -> throw new IllegalArgumentException("KernelAllocBench: maxpool pass '" + pass + "'");
        };
    }

    private static Runnable softmaxCrossEntropy(Random r, int classes) {
        float[] logits = random(r, N * classes), labels = new float[N], loss = new float[N];
        float[] rowMax = new float[N], rowLogSum = new float[N], dloss = new float[N], dx = new float[N * classes];
        for (int i = 0; i < N; i++) {
            labels[i] = r.nextInt(classes);
            dloss[i] = 1f / N;
        }
        return () -> {
            SoftmaxCrossEntropyKernels.forward(logits, 0, labels, 0, N, classes, loss, 0, rowMax, rowLogSum);
            SoftmaxCrossEntropyKernels.backward(logits, 0, labels, 0, rowMax, rowLogSum, dloss, 0, dx, 0, N, classes, false);
        };
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int j = 0; j < n; j++) a[j] = r.nextFloat() - 0.5f;
        return a;
    }
}
