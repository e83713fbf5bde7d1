package org.jgluon.bench.alloc;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.management.ObjectName;

import org.jgluon.bench.step.AlexNets;
import org.jgluon.bench.step.TrainingStep;
import org.jgluon.engine.Parallel;

/**
 * Every object a training step (or a predict forward) allocates, by class, exactly: run under
 * Epsilon (no GC, so the heap holds every object ever allocated, dead or alive), take the JVM's
 * class histogram of all objects before and after the timed steps, and print the difference
 * per step. JFR's allocation events are samples (one per TLAB refill); this is a count. Lambda
 * classes show the file that created them ({@code NdOps$$Lambda...}).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -Xmx12g \
 *       -cp bench/target/benchmarks.jar org.jgluon.bench.alloc.StepHistogram alexnet_bn 96 train [steps 5] [warm-up 6] [threads 2]
 * </pre>
 *
 * <p>The heap walk's own objects are measured by a second walk with nothing in between and
 * taken off. TLAB fillers are not objects and are left out. Checked with {@code probe} instead of
 * {@code train}: 10 000 {@code int[6]} per "step" must read as 400 000 bytes.
 */
public final class StepHistogram {

    private StepHistogram() {}

    public static void main(String[] args) throws Exception {
        AlexNets kind = AlexNets.of(args.length > 0 ? args[0] : "alexnet_bn");
        int res = args.length > 1 ? Integer.parseInt(args[1]) : 96;
        boolean train = !(args.length > 2 && args[2].equals("infer"));
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 6;
        Parallel.setThreads(args.length > 5 ? Integer.parseInt(args[5]) : 2);
        TrainingStep step = new TrainingStep(kind, res, 128, 42);
        step.train(); // deferred initialisation
        Runnable body = train ? step::train : step::infer;
        if (args.length > 2 && args[2].equals("probe")) body = StepHistogram::probe; // checks the method: 10 000 × 40 B
        for (int i = 0; i < warmup; i++) body.run();
        // Texts parsed after the last walk, so the parsing stays out of the count. The walk's own
        // objects (its text, the diagnostic command's arrays: ≈ 130 kB) are measured by a walk
        // right after the first one and taken off.
        String first = histogramText(), idle = histogramText();
        long b0 = allocatedBytes();
        for (int i = 0; i < steps; i++) body.run();
        long b1 = allocatedBytes();
        String last = histogramText();
        Map<String, long[]> h0 = parse(first), h1 = parse(idle), h2 = parse(last);
        List<Map.Entry<String, long[]>> diff = new ArrayList<>();
        long objects = 0, bytes = 0;
        for (Map.Entry<String, long[]> e : h2.entrySet()) {
            long[] was = h1.getOrDefault(e.getKey(), new long[2]), walk0 = h0.getOrDefault(e.getKey(), new long[2]);
            long[] walk1 = h1.getOrDefault(e.getKey(), new long[2]);
            long n = e.getValue()[0] - was[0] - (walk1[0] - walk0[0]), b = e.getValue()[1] - was[1] - (walk1[1] - walk0[1]);
            // fillers are the unused ends of TLABs the heap walk plugged, not objects (their bytes even shrink)
            if (n <= 0 || e.getKey().startsWith("[Ljdk.internal.vm.FillerElement")) continue;
            diff.add(Map.entry(e.getKey(), new long[] {n, b}));
            objects += n;
            bytes += b;
        }
        diff.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        System.out.printf(Locale.ROOT, "%s res %d %s, %d threads, %d steps after %d warm-up: per step %.1f objects,"
                        + " %.0f bytes in the histogram; the JVM's allocation counter: %.0f bytes%n",
                kind.id, res, train ? "train" : "infer", Parallel.threads(), steps, warmup, objects / (double) steps,
                bytes / (double) steps, (b1 - b0) / (double) steps);
        System.out.println("  objects/step    bytes/step  class");
        for (Map.Entry<String, long[]> e : diff) {
            System.out.printf(Locale.ROOT, "%14.1f %13.1f  %s%n", e.getValue()[0] / (double) steps,
                    e.getValue()[1] / (double) steps, e.getKey());
        }
    }

    /** Class → {instances, bytes} over all objects in the heap (the diagnostic command's {@code -all}: no GC first). */
    static String histogramText() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[] {"-all"}}, new String[] {String[].class.getName()});
    }

    static Map<String, long[]> parse(String text) {
        Map<String, long[]> h = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // " 1:   12345   678900  [F (java.base@25)"
            if (f.length < 4 || !f[0].endsWith(":")) continue;
            String name = f[3];
            long[] v = h.computeIfAbsent(name, k -> new long[2]);
            v[0] += Long.parseLong(f[1]);
            v[1] += Long.parseLong(f[2]);
        }
        return h;
    }

    static Object sink;

    /** A known allocation (10 000 int[6] of 40 bytes = 400 000 bytes, dead at once), to check the count against. */
    private static void probe() {
        for (int i = 0; i < 10_000; i++) sink = new int[6];
        sink = null;
    }

    static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                ? t.getTotalThreadAllocatedBytes() : -1;
    }
}
