package org.jgluon.bench.compare;

import java.util.Locale;
import java.util.stream.IntStream;
import org.jgluon.bench.Stats;
import org.jgluon.bench.step.AlexNets;
import org.jgluon.bench.step.JitWarmup;
import org.jgluon.bench.step.StepTiming;
import org.jgluon.bench.step.TrainingStep;
import org.jgluon.engine.Parallel;

/**
 * {@code ./jgluon bench scaling}: the training step at 1, 2, … N threads ({@code Parallel.setThreads})
 * on one network, images/s and the speed-up over the first thread count. The same step object
 * serves every thread count (the step's work does not depend on it).
 *
 * <p>The thread counts alternate, round after round, after a warm-up at the real size on every
 * count: C2 keeps compiling the large-shape paths for tens of steps after the small-batch
 * {@link JitWarmup}, and a count timed first (one thread, usually) would be timed while the
 * compiler still used the other core. Each count's figure is the median of its rounds.
 */
public final class Scaling {

    static final String USAGE = """
            usage: ./jgluon bench scaling [options]
              --net alexnet_bn       network: alexnet or alexnet_bn (default alexnet_bn)
              --res 96               resolution (default 96)
              --threads 1,2,...      thread counts (default 1 .. the number of cores)
              --batch 128            batch size (default 128)
              --rounds 3             rounds over the thread counts, alternating (default 3)
              --seconds 2            timed seconds per thread count and round, at least --min-steps steps (default 2)
              --min-steps 3          (default 3)
              --warmup 12            untimed steps at the real size before the first round, spread over the counts (default 12)""";

    private Scaling() {}

    public static void main(String[] args) {
        Flags.runCommand(USAGE, args, Scaling::run);
    }

    private static void run(String[] args) {
        Flags f = Flags.parse("bench scaling", USAGE, args, "net", "res", "threads", "batch", "rounds", "seconds", "min-steps",
                "warmup");
        AlexNets net = AlexNets.of(f.string("net", "alexnet_bn"));
        int cores = Runtime.getRuntime().availableProcessors();
        int[] threads = f.positiveList("threads", IntStream.rangeClosed(1, cores).toArray());
        int res = f.positive("res", 96), batch = f.positive("batch", 128), minSteps = f.positive("min-steps", 3);
        int rounds = f.positive("rounds", 3), warmup = f.positive("warmup", 12);
        double seconds = f.seconds("seconds", 2);

        System.out.println("bench scaling: " + net.id + " training step, res " + res + ", batch " + batch);
        System.out.println("machine: " + MachineInfo.describe());
        JitWarmup.run(5);
        TrainingStep step = new TrainingStep(net, res, batch, 42);
        for (int i = 0; i < warmup; i++) {
            Parallel.setThreads(threads[i % threads.length]);
            step.train();
        }
        double[][] rate = new double[threads.length][rounds], cpu = new double[threads.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < threads.length; i++) {
                Parallel.setThreads(threads[i]);
                StepTiming s = StepTiming.measure(step::train, batch, 1, minSteps, seconds);
                rate[i][r] = s.imagesPerSecond();
                cpu[i][r] = s.cpuShare(threads[i]);
            }
        }
        System.out.printf("%-8s %10s %12s %9s %9s   %s%n", "threads", "images/s", "median step", "speed-up", "CPU got",
                "rounds (images/s)");
        double base = Stats.median(rate[0]);
        for (int i = 0; i < threads.length; i++) {
            double ips = Stats.median(rate[i]);
            StringBuilder each = new StringBuilder();
            for (double v : rate[i]) each.append(String.format(Locale.ROOT, " %.1f", v));
            System.out.printf(Locale.ROOT, "%-8d %10.1f %10.0f ms %8.2fx %8.0f%%  %s%n", threads[i], ips, batch / ips * 1e3,
                    ips / base, 100 * Stats.median(cpu[i]), each);
        }
        System.out.println("speed-up = median images/s over the rounds, against " + threads[0] + " thread(s); CPU got ="
                + " process CPU time / (wall time x threads), median over the rounds: idle workers spin before they park"
                + " (jgluon.spin.us), so above one thread a low figure means the machine took cores away; "
                + MachineInfo.load());
    }
}
