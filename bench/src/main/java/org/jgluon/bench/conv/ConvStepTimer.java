package org.jgluon.bench.conv;

import java.lang.management.ManagementFactory;

import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Conv2dKernels;
import org.jgluon.engine.kernels.Conv2dPasses;
import org.jgluon.engine.ops.ConvOps;

/**
 * One AlexNet convolution's forward + backward (data, weights, bias), timed both by the wall
 * clock and by the CPU time the whole process used. On a machine shared with other jobs the wall
 * clock measures the sharing; CPU time divided by the thread count estimates the unshared time
 * (it assumes the threads would overlap perfectly, so it flatters a little). JMH's
 * {@link ConvBench} is the measurement to quote on a quiet machine.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *        org.jgluon.bench.conv.ConvStepTimer conv2 2 128 5      # layer threads batch repetitions
 * </pre>
 */
public final class ConvStepTimer {

    private ConvStepTimer() {}

    public static void main(String[] args) {
        ConvTimerSetup t = ConvTimerSetup.fromArgs(args, 5);
        String layer = t.layer();
        int threads = t.threads(), batch = t.batch(), reps = t.reps(), size = t.size();
        Conv2dGeometry g = t.g();
        boolean winograd = ConvOps.usesWinograd(g); // the path a network takes for this layer
        float[] x = t.x(), w = t.w(), bias = t.bias(), dy = t.dy(), y = t.y(), dx = t.dx(), dw = t.dw(), db = t.db();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double gflop = 3 * g.flops() / 1e9;
        System.out.printf("%s at %d, batch %d, %d thread(s): %s, %.1f GFLOP per step (3 passes)%n",
                layer, size, batch, threads, g, gflop);
        for (int rep = 0; rep < reps + 1; rep++) {
            long wall0 = System.nanoTime(), cpu0 = os.getProcessCpuTime();
            Conv2dPasses.forward(winograd, g, x, 0, w, 0, bias, 0, y, 0);
            Conv2dPasses.backwardData(winograd, g, dy, 0, w, 0, dx, 0, true);
            Conv2dPasses.backwardWeights(winograd, g, x, 0, dy, 0, dw, 0, true);
            Conv2dKernels.backwardBias(g, dy, 0, db, 0);
            double wall = (System.nanoTime() - wall0) / 1e9, cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            System.out.printf("%s step: wall %.0f ms (%.0f GFLOPS), CPU %.0f ms → %.0f GFLOPS at %d unshared thread(s)%s%n",
                    rep == 0 ? "warm-up" : "rep " + rep, wall * 1e3, gflop / wall, cpu * 1e3,
                    gflop / (cpu / threads), threads, "");
        }
        System.out.printf("load average now %.1f on %d cores%n", os.getSystemLoadAverage(), os.getAvailableProcessors());
    }
}
