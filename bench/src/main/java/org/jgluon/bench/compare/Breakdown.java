package org.jgluon.bench.compare;

import org.jgluon.bench.step.AlexNets;
import org.jgluon.bench.step.JitWarmup;
import org.jgluon.bench.step.LayerBreakdown;
import org.jgluon.bench.step.StepTiming;
import org.jgluon.bench.step.TrainingStep;
import org.jgluon.engine.Parallel;

/**
 * {@code ./jgluon bench breakdown}: where a training step's time goes, layer by layer (forward,
 * backward, predict-mode forward; GFLOPS against the FMA peak), see {@link LayerBreakdown}.
 */
public final class Breakdown {

    static final String USAGE = """
            usage: ./jgluon bench breakdown [options]
              --net alexnet_bn    network: alexnet or alexnet_bn (default alexnet_bn)
              --res 224           resolutions, comma-separated (default 224)
              --threads 2         threads (default 2)
              --batch 128         batch size (default 128)
              --reps 3            timed repetitions per layer, the median counts (default 3)""";

    private Breakdown() {}

    public static void main(String[] args) {
        Flags.runCommand(USAGE, args, Breakdown::run);
    }

    private static void run(String[] args) {
        Flags f = Flags.parse("bench breakdown", USAGE, args, "net", "res", "threads", "batch", "reps");
        AlexNets net = AlexNets.of(f.string("net", "alexnet_bn"));
        int[] resolutions = f.positiveList("res", new int[] {224});
        int batch = f.positive("batch", 128), reps = f.positive("reps", 3);
        Parallel.setThreads(f.positive("threads", 2));
        System.out.println("machine: " + MachineInfo.describe());
        JitWarmup.run(5);
        for (int res : resolutions) {
            TrainingStep step = new TrainingStep(net, res, batch, 42);
            StepTiming whole = StepTiming.measure(step::train, batch, 2, reps, 0);
            var rows = LayerBreakdown.measure(step, reps);
            System.out.println(LayerBreakdown.format(step, rows, whole.medianSeconds() * 1e3));
        }
    }
}
