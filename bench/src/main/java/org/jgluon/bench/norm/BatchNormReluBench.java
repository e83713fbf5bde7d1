package org.jgluon.bench.norm;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.ActivationKernels;
import org.jgluon.engine.kernels.BatchNormKernels;
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
 * BatchNorm+ReLU training step (forward on batch statistics, then backward to x, γ and β) on
 * AlexNet's first activation at 224, {@code (128, 96, 54, 54)}: the fused kernels against
 * BatchNorm then a separate ReLU (forward and backward). Reports ms per step as a distribution
 * (every step is timed: mean, median and the minimum, which on a shared, loaded machine is the
 * closest to what the kernels do alone). {@code -p shape=128x256x10x10} or {@code 128x4096} (2-D; on the JMH command line, where commas separate values)
 * times the other shapes of AlexNet-BN. Run
 * {@code ./jgluon bench jmh BatchNormReluBench} (or {@code -p variant=fused -p threads=1}), or
 * {@link BatchNormReluReport} for the same runs printed with GB/s and the fused/unfused ratio.
 *
 * <p>{@code -p variant=relu} times the unfused pair's ReLU forward and backward alone: the unfused
 * step is the same BatchNorm kernels plus these, so the fused speed-up is about
 * {@code 1 + relu / fused}, and 2× needs the whole fused step to be as fast as the ReLU pair.
 * All outputs are allocated once in setup and reused (a first touch of fresh memory costs about
 * 3 ms per MB in this VM).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 6, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g", "-Xms3g", "-XX:+AlwaysPreTouch",
        "-XX:+UseTransparentHugePages"})
public class BatchNormReluBench {

    @Param({"fused", "unfused"})
    public String variant;

    @Param({"2"})
    public int threads;

    @Param({"128,96,54,54"})
    public String shape;

    private int outer, channels, inner, n;
    private float[] x, z, dz, dx, y, dy, gamma, beta, mean, var, invStd, dgamma, dbeta;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        String[] d = shape.split("[,x]"); // x: the JMH command line splits -p values at commas
        outer = Integer.parseInt(d[0].trim());
        channels = Integer.parseInt(d[1].trim());
        inner = 1; // (N, C) after Dense, or (N, C, H, W)
        for (int i = 2; i < d.length; i++) inner *= Integer.parseInt(d[i].trim());
        n = outer * channels * inner;
        Random r = new Random(1);
        x = new float[n];
        dz = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
            dz[i] = (float) r.nextGaussian();
        }
        z = new float[n];
        dx = new float[n];
        if (!variant.equals("fused")) {
            y = new float[n];
            dy = new float[n];
            System.arraycopy(x, 0, y, 0, n); // the relu variant's input: half positive
        }
        gamma = new float[channels];
        beta = new float[channels];
        for (int c = 0; c < channels; c++) {
            gamma[c] = 1f + 0.1f * (float) r.nextGaussian();
            beta[c] = 0.1f * (float) r.nextGaussian();
        }
        mean = new float[channels];
        var = new float[channels];
        invStd = new float[channels];
        dgamma = new float[channels];
        dbeta = new float[channels];
    }

    @Benchmark
    public float step() {
        if (variant.equals("fused")) {
            BatchNormKernels.forwardTrain(x, 0, z, 0, outer, channels, inner, gamma, beta, 1e-5f, true, mean, var,
                    invStd);
            BatchNormKernels.backward(dz, 0, x, 0, dx, 0, false, outer, channels, inner, gamma, beta, mean, invStd,
                    true, false, dgamma, dbeta);
        } else if (variant.equals("relu")) {
            ActivationKernels.forward(ActivationKernels.Kind.RELU, 0f, y, 0, z, 0, n);
            ActivationKernels.backward(ActivationKernels.Kind.RELU, 0f, y, 0, z, 0, dz, 0, dy, 0, n, false);
            return dy[n - 1];
        } else {
            BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, gamma, beta, 1e-5f, false, mean, var,
                    invStd);
            ActivationKernels.forward(ActivationKernels.Kind.RELU, 0f, y, 0, z, 0, n);
            ActivationKernels.backward(ActivationKernels.Kind.RELU, 0f, y, 0, z, 0, dz, 0, dy, 0, n, false);
            BatchNormKernels.backward(dy, 0, x, 0, dx, 0, false, outer, channels, inner, gamma, beta, mean, invStd,
                    false, false, dgamma, dbeta);
        }
        return dx[n - 1] + dgamma[0];
    }
}
