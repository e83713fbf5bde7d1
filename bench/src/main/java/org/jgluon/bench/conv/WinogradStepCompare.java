package org.jgluon.bench.conv;

import java.util.Arrays;
import java.util.Locale;

import org.jgluon.bench.Stats;
import org.jgluon.bench.step.AlexNets;
import org.jgluon.bench.step.TrainingStep;
import org.jgluon.engine.Parallel;
import org.jgluon.engine.ops.ConvOps;

/**
 * The whole training step and the predict-mode forward with the Winograd path off and on,
 * alternating repetition by repetition in one JVM ({@code -Djgluon.winograd} is read on every
 * convolution; since session 5 it switches conv2's F(2×2, 5×5) as well as conv3–5's F(2×2, 3×3)):
 * on a shared machine separate JVMs a minute apart differ by more than the change.
 * Median wall time of each.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -Xmx6g -cp bench/target/benchmarks.jar \
 *        org.jgluon.bench.conv.WinogradStepCompare alexnet_bn 96 12     # net res repetitions [threads 2]
 * </pre>
 */
public final class WinogradStepCompare {

    /** Untimed repetitions of each first (JIT, first touch of the scratch). */
    private static final int WARM_UP = 3;

    private WinogradStepCompare() {}

    public static void main(String[] args) {
        AlexNets kind = AlexNets.of(args.length > 0 ? args[0] : "alexnet_bn");
        int res = args.length > 1 ? Integer.parseInt(args[1]) : 96;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        Parallel.setThreads(args.length > 3 ? Integer.parseInt(args[3]) : 2);
        TrainingStep step = new TrainingStep(kind, res, 128, 1);
        String[] modes = {"false", "true"};
        double[][] infer = new double[2][reps], train = new double[2][reps];
        String saved = System.getProperty(ConvOps.WINOGRAD_PROPERTY);
        try {
            for (int rep = -WARM_UP; rep < reps; rep++) {
                for (int k = 0; k < 2; k++) {
                    System.setProperty(ConvOps.WINOGRAD_PROPERTY, modes[k]);
                    long t0 = System.nanoTime();
                    step.infer();
                    long t1 = System.nanoTime();
                    step.train();
                    long t2 = System.nanoTime();
                    if (rep >= 0) {
                        infer[k][rep] = (t1 - t0) / 1e6;
                        train[k][rep] = (t2 - t1) / 1e6;
                    }
                }
            }
        } finally {
            if (saved == null) System.clearProperty(ConvOps.WINOGRAD_PROPERTY);
            else System.setProperty(ConvOps.WINOGRAD_PROPERTY, saved);
        }
        double io = Stats.median(infer[0]), in = Stats.median(infer[1]), to = Stats.median(train[0]), tn = Stats.median(train[1]);
        System.out.printf(Locale.ROOT, "%s res %d batch 128, %d threads, median of %d alternated repetitions; load %s%n",
                kind.name().toLowerCase(Locale.ROOT), res, Parallel.threads(), reps,
                String.format(Locale.ROOT, "%.1f", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage()));
        System.out.printf(Locale.ROOT, "  training step   winograd=false %7.1f ms   winograd=true %7.1f ms   %.2fx (%+.1f ms)%n",
                to, tn, to / tn, tn - to);
        System.out.printf(Locale.ROOT, "  predict forward winograd=false %7.1f ms   winograd=true %7.1f ms   %.2fx (%+.1f ms)%n",
                io, in, io / in, in - io);
    }

}
