package org.jgluon.bench.conv;

import java.lang.management.ManagementFactory;

import org.jgluon.bench.Stats;
import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Conv2dKernels;
import org.jgluon.engine.kernels.Conv2dWinograd;

/**
 * Im2col + SGEMM ({@link Conv2dKernels}) against Winograd F(2×2, r×r) ({@link Conv2dWinograd}) per
 * pass, on AlexNet's 3×3 and 5×5 layers, in one JVM: each repetition runs a pass with the old kernel and
 * then the new one, so both see the same machine load. Each pass is timed by the wall clock and
 * by the CPU time of the Java threads ÷ threads (medians over the repetitions); GFLOPS count the direct convolution's 2·F·C·k²·OH·OW·N for
 * both, so their ratio is the speed-up.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *        org.jgluon.bench.conv.WinogradPassTimer conv2,conv3,conv4,conv5 2 128 4 96,224   # layers threads batch reps sizes
 * </pre>
 */
public final class WinogradPassTimer {

    /** Untimed repetitions first (C2 compiles the Vector API paths of both). */
    private static final int WARM_UP = 3;

    private WinogradPassTimer() {}

    public static void main(String[] args) {
        String[] layers = (args.length > 0 ? args[0] : "conv2,conv3,conv4,conv5").split(",");
        String threads = args.length > 1 ? args[1] : "2", batch = args.length > 2 ? args[2] : "128";
        String reps = args.length > 3 ? args[3] : "4";
        String[] sizes = (args.length > 4 ? args[4] : "96,224").split(",");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] totals = new double[4]; // wall old, wall new, CPU old, CPU new over everything
        for (String size : sizes) {
            for (String layer : layers) {
                ConvTimerSetup t = ConvTimerSetup.fromArgs(new String[] {layer, threads, batch, reps, size}, 4);
                double[] sum = time(t, os);
                for (int k = 0; k < 4; k++) totals[k] += sum[k];
            }
        }
        System.out.printf("all layers and passes: wall %.1f → %.1f ms (%.2f×), CPU/thr %.1f → %.1f ms (%.2f×); load %.1f%n",
                totals[0] * 1e3, totals[1] * 1e3, totals[0] / totals[1], totals[2] * 1e3, totals[3] * 1e3,
                totals[2] / totals[3], os.getSystemLoadAverage());
    }

    /** Times the three passes of one layer both ways; returns {wall old, wall new, CPU old, CPU new} summed over the passes. */
    private static double[] time(ConvTimerSetup t, com.sun.management.OperatingSystemMXBean os) {
        Conv2dGeometry g = t.g();
        int reps = t.reps(), threads = t.threads();
        float[] x = t.x(), w = t.w(), bias = t.bias(), dy = t.dy(), y = t.y(), dx = t.dx(), dw = t.dw();
        Runnable[][] passes = {
            {() -> Conv2dKernels.forward(g, x, 0, w, 0, bias, 0, y, 0), () -> Conv2dWinograd.forward(g, x, 0, w, 0, bias, 0, y, 0)},
            {() -> Conv2dKernels.backwardData(g, dy, 0, w, 0, dx, 0), () -> Conv2dWinograd.backwardData(g, dy, 0, w, 0, dx, 0)},
            {() -> Conv2dKernels.backwardWeights(g, x, 0, dy, 0, dw, 0),
                () -> Conv2dWinograd.backwardWeights(g, x, 0, dy, 0, dw, 0)},
        };
        String[] names = {"forward", "bwd-data", "bwd-weights"};
        double[][][] wall = new double[3][2][reps], cpu = new double[3][2][reps];
        for (int rep = -WARM_UP; rep < reps; rep++) {
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 2; k++) {
                    long w0 = System.nanoTime(), c0 = threadsCpuNanos();
                    passes[i][k].run();
                    if (rep >= 0) {
                        wall[i][k][rep] = (System.nanoTime() - w0) / 1e9;
                        cpu[i][k][rep] = (threadsCpuNanos() - c0) / 1e9 / threads;
                    }
                }
            }
        }
        double gflop = g.flops() / 1e9;
        System.out.printf("%s at %d, batch %d, %d thread(s), %.2f GFLOP per pass (direct count); median of %d; load %.1f%n",
                t.layer(), t.size(), t.batch(), threads, gflop, reps, os.getSystemLoadAverage());
        double[] sum = new double[4];
        for (int i = 0; i < 3; i++) {
            double wo = Stats.median(wall[i][0]), wn = Stats.median(wall[i][1]), co = Stats.median(cpu[i][0]), cn = Stats.median(cpu[i][1]);
            sum[0] += wo;
            sum[1] += wn;
            sum[2] += co;
            sum[3] += cn;
            System.out.printf("  %-11s im2col wall %6.1f ms %4.0f GFLOPS, CPU/thr %6.1f ms (share %3.0f %%) | winograd wall %6.1f ms"
                            + " %4.0f GFLOPS, CPU/thr %6.1f ms (share %3.0f %%) | wall %.2f×, CPU %.2f×%n",
                    names[i], wo * 1e3, gflop / wo, co * 1e3, 100 * co / wo, wn * 1e3, gflop / wn, cn * 1e3, 100 * cn / wn,
                    wo / wn, co / cn);
        }
        System.out.printf("  %-11s im2col wall %6.1f ms, CPU/thr %6.1f ms | winograd wall %6.1f ms, CPU/thr %6.1f ms | wall %.2f×, CPU %.2f×%n",
                "3 passes", sum[0] * 1e3, sum[2] * 1e3, sum[1] * 1e3, sum[3] * 1e3, sum[0] / sum[1], sum[2] / sum[3]);
        return sum;
    }

    /**
     * CPU time of all Java threads (the caller and the pool's workers), in ns: the process CPU
     * clock ticks in 10 ms here, as long as a whole 4×4-layer pass, and also counts the JIT.
     */
    private static long threadsCpuNanos() {
        var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : mx.getAllThreadIds()) sum += Math.max(0, mx.getThreadCpuTime(id));
        return sum;
    }

    /** The median: on a shared machine single repetitions catch other jobs' bursts. */
}
