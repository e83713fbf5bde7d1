package org.jgluon.bench.norm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The fused BatchNorm+ReLU step, the unfused pair and the ReLU pair alone, timed in turn in one
 * JVM: step 1 of each, then step 2 of each, and so on. On a shared machine the load changes from
 * one minute to the next, so JMH's variant-after-variant runs can put the two sides of a ratio in
 * different conditions; here both sides see the same minutes. It runs {@link BatchNormReluBench}'s
 * own step (same kernels, same preallocated buffers), so the figures read against JMH's.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -Xms3g -Xmx3g -XX:+AlwaysPreTouch
 * -XX:+UseTransparentHugePages -cp bench/target/benchmarks.jar
 * org.jgluon.bench.norm.BatchNormReluInterleaved [threads] [steps] [shape]} (defaults 2, 40,
 * 128,96,54,54).
 */
public final class BatchNormReluInterleaved {

    private static final String[] VARIANTS = {"fused", "unfused", "relu"};

    private BatchNormReluInterleaved() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        String shape = args.length > 2 ? args[2] : "128,96,54,54";
        BatchNormReluBench[] benches = new BatchNormReluBench[VARIANTS.length];
        for (int v = 0; v < VARIANTS.length; v++) {
            benches[v] = new BatchNormReluBench();
            benches[v].variant = VARIANTS[v];
            benches[v].threads = threads;
            benches[v].shape = shape;
            benches[v].setup();
        }
        String loadBefore = loadAverage();
        float sink = 0;
        for (int w = 0; w < 5; w++) {
            for (BatchNormReluBench b : benches) sink += b.step();
        }
        double[][] ms = new double[VARIANTS.length][steps];
        for (int s = 0; s < steps; s++) {
            for (int k = 0; k < VARIANTS.length; k++) {
                int v = (s + k) % VARIANTS.length; // rotate which variant goes first
                long t0 = System.nanoTime();
                sink += benches[v].step();
                ms[v][s] = (System.nanoTime() - t0) / 1e6;
            }
        }
        System.out.printf("BatchNorm+ReLU forward+backward, shape (%s), %d threads, %d interleaved steps each, ms%n",
                shape, threads, steps);
        double[] min = new double[VARIANTS.length], median = new double[VARIANTS.length];
        for (int v = 0; v < VARIANTS.length; v++) {
            Arrays.sort(ms[v]);
            min[v] = ms[v][0];
            median[v] = ms[v][steps / 2];
            System.out.printf("  %-8s min %7.2f   median %7.2f%n", VARIANTS[v], min[v], median[v]);
        }
        System.out.printf("  fused speed-up over the unfused pair: %.2fx (min), %.2fx (median)%n",
                min[1] / min[0], median[1] / median[0]);
        System.out.printf("  1 + relu/fused (the speed-up this unfused pair allows): %.2fx (min), %.2fx (median)%n",
                1 + min[2] / min[0], 1 + median[2] / median[0]);
        System.out.printf("  load average before: %s, after: %s%s%n", loadBefore, loadAverage(), sink == 42 ? " " : "");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
