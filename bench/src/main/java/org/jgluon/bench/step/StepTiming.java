package org.jgluon.bench.step;

import java.util.Arrays;

/**
 * Times a step the way the PyTorch driver does (bench/compare/pytorch_alexnet.py): {@code warmup}
 * untimed calls, then at least {@code minSteps} timed calls and until {@code seconds} have passed;
 * images/s = batch / median step time. The same rule on both sides keeps the ratio honest.
 */
public record StepTiming(int steps, double medianSeconds, double bestSeconds, int batch) {

    public double imagesPerSecond() {
        return batch / medianSeconds;
    }

    public static StepTiming measure(Runnable step, int batch, int warmup, int minSteps, double seconds) {
        for (int i = 0; i < warmup; i++) step.run();
        double[] times = new double[16];
        int n = 0;
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (n < minSteps || System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            step.run();
            if (n == times.length) times = Arrays.copyOf(times, n * 2);
            times[n++] = (System.nanoTime() - t0) / 1e9;
        }
        double[] sorted = Arrays.copyOf(times, n);
        Arrays.sort(sorted);
        return new StepTiming(n, median(sorted), sorted[0], batch);
    }

    /** The median of sorted values (mean of the middle two for an even count, as Python's statistics.median). */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
