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
 * <p>The first histogram's text (one string, made after its heap walk) and the diagnostic
 * command's own few objects are counted too: about one {@code [B} of the text's length and a few
 * hundred bytes, divided by the steps. Both texts are parsed after the second walk.
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
        for (int i = 0; i < warmup; i++) body.run();
        String first = histogramText(); // parsed after the second one: the parsing's objects stay out of the count
        long b0 = allocatedBytes();
        for (int i = 0; i < steps; i++) body.run();
        long b1 = allocatedBytes();
        String second = histogramText();
        Map<String, long[]> before = parse(first), after = parse(second);
        List<Map.Entry<String, long[]>> diff = new ArrayList<>();
        long objects = 0, bytes = 0;
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] was = before.getOrDefault(e.getKey(), new long[2]);
            long n = e.getValue()[0] - was[0], b = e.getValue()[1] - was[1];
            if (n <= 0) continue;
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

    static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                ? t.getTotalThreadAllocatedBytes() : -1;
    }
}
