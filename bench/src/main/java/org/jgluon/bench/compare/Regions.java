package org.jgluon.bench.compare;

import java.util.List;
import java.util.Locale;

import org.jgluon.bench.step.AlexNets;
import org.jgluon.bench.step.JitWarmup;
import org.jgluon.bench.step.TrainingStep;
import org.jgluon.engine.Parallel;
import org.jgluon.engine.RegionProfile;

/**
 * {@code ./jgluon bench regions}: where the threads of a training step wait. Per call site of a
 * parallel loop ({@link RegionProfile}): regions per step, their wall time, the time their tasks
 * ran, the idle thread time (threads × wall − busy) and how late the first pool worker started.
 * The table a thread-scaling shortfall is read from (docs/benchmarks.md, "Fifth session").
 */
public final class Regions {

    static final String USAGE = """
            usage: ./jgluon bench regions [options]
              --net alexnet_bn    network: alexnet or alexnet_bn (default alexnet_bn)
              --res 96            resolution (default 96)
              --threads 2         threads (default 2)
              --batch 128         batch size (default 128)
              --warmup 15         untimed steps at the real size first (default 15)
              --steps 5           profiled steps (default 5)
              --rows 25           call sites shown, most idle first (default 25)""";

    private Regions() {}

    public static void main(String[] args) {
        // before the engine's first parallel loop loads RegionProfile, whose switch is a constant
        System.setProperty("jgluon.parallel.profile", "true");
        Flags.runCommand(USAGE, args, Regions::run);
    }

    private static void run(String[] args) {
        Flags f = Flags.parse("bench regions", USAGE, args, "net", "res", "threads", "batch", "warmup", "steps", "rows");
        if (!RegionProfile.ENABLED) {
            throw new IllegalStateException("bench regions: region profiling is off in this JVM (a parallel loop ran before"
                    + " the command started); run it with -Djgluon.parallel.profile=true");
        }
        AlexNets net = AlexNets.of(f.string("net", "alexnet_bn"));
        int res = f.positive("res", 96), batch = f.positive("batch", 128), threads = f.positive("threads", 2);
        int warmup = f.positive("warmup", 15), steps = f.positive("steps", 5), rows = f.positive("rows", 25);
        System.out.println("bench regions: " + net.id + " training step, res " + res + ", batch " + batch + ", " + threads
                + " threads");
        System.out.println("machine: " + MachineInfo.describe());
        Parallel.setThreads(threads);
        JitWarmup.run(5);
        TrainingStep step = new TrainingStep(net, res, batch, 42);
        for (int i = 0; i < warmup; i++) step.train();
        RegionProfile.reset();
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) step.train();
        double stepMs = (System.nanoTime() - t0) / 1e6 / steps;
        print(RegionProfile.sites(), steps, threads, stepMs, rows);
    }

    static void print(List<RegionProfile.Site> sites, int steps, int threads, double stepMs, int rows) {
        double wall = 0, busy = 0, idle = 0, late = 0, regions = 0;
        for (RegionProfile.Site s : sites) {
            wall += s.wallMs();
            busy += s.busyMs();
            idle += s.idleMs();
            late += s.workerStartMs();
            regions += s.regions();
        }
        System.out.printf(Locale.ROOT, "step %.1f ms: %.0f regions, %.1f ms inside them (%.0f%%), idle %.1f thread-ms"
                        + " (%.0f%% of the regions' thread time), first worker start %.2f ms in all, per step%n",
                stepMs, regions / steps, wall / steps, 100 * wall / steps / stepMs, idle / steps, 100 * idle / (threads * wall),
                late / steps);
        System.out.printf("%-100s %7s %8s %8s %8s %8s%n", "call site (per step)", "regions", "wall ms", "busy ms", "idle",
                "w.start");
        for (RegionProfile.Site s : sites.subList(0, Math.min(rows, sites.size()))) {
            String where = s.where().length() > 100 ? s.where().substring(0, 99) + "…" : s.where();
            System.out.printf(Locale.ROOT, "%-100s %7.1f %8.2f %8.2f %8.2f %8.3f%n", where, (double) s.regions() / steps,
                    s.wallMs() / steps, s.busyMs() / steps, s.idleMs() / steps, s.workerStartMs() / steps);
        }
        System.out.println("idle = threads × wall − busy (thread-ms); w.start = from publishing a region to the first task"
                + " a pool worker started, summed");
    }
}
