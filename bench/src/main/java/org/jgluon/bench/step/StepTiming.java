package org.jgluon.bench.step;

import java.util.Arrays;

/**
 * Times a step the way the PyTorch driver does (bench/compare/pytorch_alexnet.py): {@code warmup}
 * untimed calls, then at least {@code minSteps} timed calls and until {@code seconds} have passed;
 * images/s = batch / median step time. The same rule on both sides keeps the ratio honest.
 * {@code cpuSecondsPerStep} is the process's CPU time (all its threads) per timed step: on a
 * shared machine, CPU time / (wall time · threads) says how much of its cores a side really got.
 */
public record StepTiming(int steps, double medianSeconds, double bestSeconds, int batch, double cpuSecondsPerStep,
                         double meanSeconds) {

    public double imagesPerSecond() {
        return batch / medianSeconds;
    }

    public static StepTiming measure(Runnable step, int batch, int warmup, int minSteps, double seconds) {
        for (int i = 0; i < warmup; i++) step.run();
        double[] times = new double[16];
        int n = 0;
        long cpu0 = processCpuNanos(), wall0 = System.nanoTime();
        long deadline = wall0 + (long) (seconds * 1e9);
        while (n < minSteps || System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            step.run();
            if (n == times.length) times = Arrays.copyOf(times, n * 2);
            times[n++] = (System.nanoTime() - t0) / 1e9;
        }
        double cpu = (processCpuNanos() - cpu0) / 1e9, wall = (System.nanoTime() - wall0) / 1e9;
        double[] sorted = Arrays.copyOf(times, n);
        Arrays.sort(sorted);
        return new StepTiming(n, org.jgluon.bench.Stats.median(sorted), sorted[0], batch, cpu / n, wall / n);
    }

    /** The share of {@code threads} cores the process used while timing (1.0 = all of them, all the time). */
    public double cpuShare(int threads) {
        return cpuSecondsPerStep / (meanSeconds * threads);
    }

    /** CPU time of the whole process, or -1 when the JVM cannot tell. */
    static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
