package org.jgluon.bench.compare;

import java.util.Locale;
import java.util.stream.IntStream;
import org.jgluon.bench.step.AlexNets;
import org.jgluon.bench.step.JitWarmup;
import org.jgluon.bench.step.StepTiming;
import org.jgluon.bench.step.TrainingStep;
import org.jgluon.engine.Parallel;

/**
 * {@code ./jgluon bench scaling}: the training step at 1, 2, … N threads ({@code Parallel.setThreads})
 * on one network, images/s and the speed-up over one thread. The same step object serves every
 * thread count (the step's work does not depend on it).
 */
public final class Scaling {

    static final String USAGE = """
            usage: ./jgluon bench scaling [options]
              --net alexnet_bn       network: alexnet or alexnet_bn (default alexnet_bn)
              --res 96               resolution (default 96)
              --threads 1,2,...      thread counts (default 1 .. the number of cores)
              --batch 128            batch size (default 128)
              --seconds 3            timed seconds per thread count, at least --min-steps steps (default 3)
              --min-steps 3          (default 3)
              --warmup 1             untimed steps per thread count (default 1)""";

    private Scaling() {}

    public static void main(String[] args) {
        Flags.runCommand(USAGE, args, Scaling::run);
    }

    private static void run(String[] args) {
        Flags f = Flags.parse("bench scaling", USAGE, args, "net", "res", "threads", "batch", "seconds", "min-steps", "warmup");
        AlexNets net = AlexNets.of(f.string("net", "alexnet_bn"));
        int cores = Runtime.getRuntime().availableProcessors();
        int[] threads = f.positiveList("threads", IntStream.rangeClosed(1, cores).toArray());
        int res = f.positive("res", 96), batch = f.positive("batch", 128), minSteps = f.positive("min-steps", 3);
        int warmup = Math.max(1, f.positive("warmup", 1));
        double seconds = f.seconds("seconds", 3);

        System.out.println("bench scaling: " + net.id + " training step, res " + res + ", batch " + batch);
        System.out.println("machine: " + MachineInfo.describe());
        JitWarmup.run(5);
        TrainingStep step = new TrainingStep(net, res, batch, 42);
        System.out.printf("%-8s %10s %12s %9s %9s %s%n", "threads", "images/s", "median step", "speed-up", "CPU got", "(load)");
        double base = Double.NaN;
        for (int t : threads) {
            Parallel.setThreads(t);
            StepTiming s = StepTiming.measure(step::train, batch, warmup, minSteps, seconds);
            if (Double.isNaN(base)) base = s.imagesPerSecond();
            System.out.printf(Locale.ROOT, "%-8d %10.1f %10.0f ms %8.2fx %8.0f%% %s%n", t, s.imagesPerSecond(), s.medianSeconds() * 1e3,
                    s.imagesPerSecond() / base, 100 * s.cpuShare(t), "(" + MachineInfo.load() + ")");
        }
        System.out.println("speed-up = images/s over those at " + threads[0] + " thread(s); CPU got = process CPU time /"
                + " (wall time x threads): below 100% the machine did not give the threads their cores");
    }
}
