package org.jgluon.bench.norm;

import java.util.Arrays;
import java.util.Locale;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.BatchNormKernels;

/**
 * The BatchNorm+ReLU kernels on their own against the memory system, interleaved in one JVM on
 * warm preallocated arrays: a parallel copy of one tensor (two streams, the bandwidth yardstick),
 * a parallel zero fill, the training forward, the backward writing dx and adding into it, and its
 * first pass alone (the sums: dx not wanted).
 * Each line gives the median and the minimum, and the backward's bytes per the copy's (the copy
 * moves 2 tensors; the written backward's ideal is 3: read dz and x once, write dx).
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -XX:+UseTransparentHugePages -cp bench/target/benchmarks.jar \
 *       org.jgluon.bench.norm.BatchNormBackwardProbe [threads] [steps] [n,c,h,w ...]
 * </pre>
 */
public final class BatchNormBackwardProbe {

    private static final String[] NAMES = {"copy", "zero", "forward", "backward write", "backward add", "backward sums"};

    private BatchNormBackwardProbe() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        String[] shapes = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length)
                : new String[] {"128,96,22,22", "128,256,10,10", "128,384,4,4"};
        Parallel.setThreads(threads);
        for (String s : shapes) run(s, steps);
    }

    private static void run(String shape, int steps) {
        int[] d = Arrays.stream(shape.split(",")).mapToInt(Integer::parseInt).toArray();
        int outer = d[0], channels = d[1], inner = d.length > 2 ? d[2] * d[3] : 1;
        int n = outer * channels * inner;
        float[] x = new float[n], y = new float[n], dz = new float[n], dx = new float[n], copy = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i * 0.37) * 2 + 0.1f;
            dz[i] = (float) Math.cos(i * 0.11);
        }
        float[] gamma = new float[channels], beta = new float[channels];
        Arrays.fill(gamma, 1.1f);
        Arrays.fill(beta, 0.05f);
        float[] mean = new float[channels], var = new float[channels], invStd = new float[channels];
        float[] dgamma = new float[channels], dbeta = new float[channels];
        Runnable[] work = {
            () -> Parallel.forRange(n, 1 << 16, (lo, hi) -> System.arraycopy(x, lo, copy, lo, hi - lo)),
            () -> Parallel.forRange(n, 1 << 16, (lo, hi) -> Arrays.fill(copy, lo, hi, 0f)),
            () -> BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, gamma, beta, 1e-5f, true, mean, var, invStd),
            () -> BatchNormKernels.backward(dz, 0, x, 0, dx, 0, false, outer, channels, inner, gamma, beta, mean, invStd,
                    true, false, dgamma, dbeta),
            () -> BatchNormKernels.backward(dz, 0, x, 0, dx, 0, true, outer, channels, inner, gamma, beta, mean, invStd,
                    true, false, dgamma, dbeta),
            () -> BatchNormKernels.backward(dz, 0, x, 0, null, 0, false, outer, channels, inner, gamma, beta, mean, invStd,
                    true, false, dgamma, dbeta),
        };
        for (int w = 0; w < 20; w++) for (Runnable r : work) r.run();
        double[][] ms = new double[work.length][steps];
        long[] bytes = new long[work.length];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int s = 0; s < steps; s++) {
            for (int k = 0; k < work.length; k++) {
                int v = (s + k) % work.length;
                long b0 = mx.getTotalThreadAllocatedBytes(), t0 = System.nanoTime();
                work[v].run();
                ms[v][s] = (System.nanoTime() - t0) / 1e6;
                bytes[v] += mx.getTotalThreadAllocatedBytes() - b0;
            }
        }
        double mb = n * 4.0 / 1e6;
        System.out.printf(Locale.ROOT, "(%s) = %.1f MB per tensor, %d threads, %d interleaved steps, load %.2f%n", shape, mb,
                Parallel.threads(), steps, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        double copyMed = 0;
        for (int v = 0; v < work.length; v++) {
            Arrays.sort(ms[v]);
            double med = ms[v][steps / 2];
            if (v == 0) copyMed = med;
            System.out.printf(Locale.ROOT, "  %-15s median %7.2f ms  min %7.2f ms  %5.2f× the copy  %8d B/call%n", NAMES[v], med,
                    ms[v][0], med / copyMed, bytes[v] / steps);
        }
    }
}
