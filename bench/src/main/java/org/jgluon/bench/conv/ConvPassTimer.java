package org.jgluon.bench.conv;

import java.lang.management.ManagementFactory;

import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Conv2dKernels;
import org.jgluon.engine.kernels.Conv2dPasses;
import org.jgluon.engine.ops.ConvOps;

/**
 * {@link ConvStepTimer} per pass: forward, backward-data, backward-weights and bias of one AlexNet
 * convolution, each timed by the wall clock and by the process CPU time (÷ threads: the unshared
 * estimate on a busy machine), mean over the repetitions, as GFLOPS and % of the 2-core peak.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *        org.jgluon.bench.conv.ConvPassTimer conv2 2 128 4 224   # layer threads batch repetitions size
 * </pre>
 */
public final class ConvPassTimer {

    /** The FMA peak of one core here (AVX-512, 2 FMA units): GFLOPS. */
    private static final double PEAK_PER_CORE = 205;

    /** Untimed repetitions first. */
    private static final int WARM_UP = 4;

    private ConvPassTimer() {}

    public static void main(String[] args) {
        ConvTimerSetup t = ConvTimerSetup.fromArgs(args, 4);
        String layer = t.layer();
        int threads = t.threads(), batch = t.batch(), reps = t.reps(), size = t.size();
        Conv2dGeometry g = t.g();
        boolean winograd = ConvOps.usesWinograd(g); // the path a network takes for this layer
        float[] x = t.x(), w = t.w(), bias = t.bias(), dy = t.dy(), y = t.y(), dx = t.dx(), dw = t.dw(), db = t.db();
        Runnable[] passes = {
            () -> Conv2dPasses.forward(winograd, g, x, 0, w, 0, bias, 0, y, 0),
            () -> Conv2dPasses.backwardData(winograd, g, dy, 0, w, 0, dx, 0, true),
            () -> Conv2dPasses.backwardWeights(winograd, g, x, 0, dy, 0, dw, 0, true),
            () -> Conv2dKernels.backwardBias(g, dy, 0, db, 0),
        };
        String[] names = {"forward", "bwd-data", "bwd-weights", "bias"};
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[][] wall = new double[4][reps], cpu = new double[4][reps];
        // untimed warm-up: C2 is still compiling the Vector API paths after one repetition, and its
        // threads' CPU time would be charged to the passes (conv1 at 96 read 1.5× slower over 8 repetitions)
        for (int rep = -WARM_UP; rep < reps; rep++) {
            for (int i = 0; i < 4; i++) {
                long w0 = System.nanoTime(), c0 = os.getProcessCpuTime();
                passes[i].run();
                if (rep >= 0) {
                    wall[i][rep] = (System.nanoTime() - w0) / 1e9;
                    cpu[i][rep] = (os.getProcessCpuTime() - c0) / 1e9 / threads;
                }
            }
        }
        double gflop = g.flops() / 1e9, peak = PEAK_PER_CORE * threads;
        System.out.printf("%s at %d, batch %d, %d thread(s), %.1f GFLOP per pass; mean of %d; load %.1f%n",
                layer, size, batch, threads, gflop, reps, os.getSystemLoadAverage());
        double wallSum = 0, cpuSum = 0;
        for (int i = 0; i < 4; i++) {
            double mw = mean(wall[i]), mc = mean(cpu[i]);
            wallSum += mw;
            cpuSum += mc;
            if (i < 3) {
                System.out.printf("  %-12s wall %7.1f ms %5.0f GFLOPS (%2.0f %%)   CPU/thr %7.1f ms %5.0f GFLOPS (%2.0f %%)  CPU share %3.0f %%%n",
                        names[i], mw * 1e3, gflop / mw, 100 * gflop / mw / peak, mc * 1e3, gflop / mc,
                        100 * gflop / mc / peak, 100 * mc / mw);
            } else {
                System.out.printf("  %-12s wall %7.1f ms   CPU/thr %7.1f ms%n", names[i], mw * 1e3, mc * 1e3);
            }
        }
        System.out.printf("  %-12s wall %7.1f ms %5.0f GFLOPS (%2.0f %%)   CPU/thr %7.1f ms %5.0f GFLOPS (%2.0f %%)%n", "step",
                wallSum * 1e3, 3 * gflop / wallSum, 100 * 3 * gflop / wallSum / peak, cpuSum * 1e3, 3 * gflop / cpuSum,
                100 * 3 * gflop / cpuSum / peak);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
