package org.jgluon.bench.step;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Locale;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.memory.BufferPool;
import org.jgluon.engine.memory.Recycling;

/**
 * Memory per training step and per predict-mode forward, with buffer recycling on and off in
 * the same JVM, alternating step by step (so both see the same machine load): bytes allocated
 * per step by all threads, median step time, and the buffer pool's counters over the timed steps
 * (no misses = no large array allocated, so no fresh memory touched).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -Xmx6g -cp bench/target/benchmarks.jar \
 *       org.jgluon.bench.step.StepMemory alexnet_bn 96 [steps 4] [threads 2] [modes on,off] [warm-up steps 1]
 * </pre>
 *
 * <p>{@code -Djgluon.jfr=FILE} records a JFR profile ({@code settings=profile}: allocation samples
 * with stacks) of the timed steps only, after the warm-up, so that the interpreter's and C1's
 * allocations while the JIT settles stay out of it ({@code jfr view allocation-by-site FILE}).
 */
public final class StepMemory {

    private StepMemory() {}

    public static void main(String[] args) {
        AlexNets kind = AlexNets.of(args.length > 0 ? args[0] : "alexnet_bn");
        int res = args.length > 1 ? Integer.parseInt(args[1]) : 96;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Parallel.setThreads(args.length > 3 ? Integer.parseInt(args[3]) : 2);
        String[] modes = (args.length > 4 ? args[4] : "on,off").split(",");
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        String jfr = System.getProperty("jgluon.jfr");
        TrainingStep step = new TrainingStep(kind, res, 128, 42);
        step.train(); // deferred initialisation
        System.out.printf(Locale.ROOT, "%s res %d batch 128, %d threads, heap max %d MiB%n", kind.id, res,
                Parallel.threads(), Runtime.getRuntime().maxMemory() >> 20);
        for (String what : new String[] {"train", "infer"}) {
            Runnable body = what.equals("train") ? step::train : step::infer;
            double[][] ms = new double[modes.length][steps];
            long[][] bytes = new long[modes.length][steps];
            for (int w = 0; w < warmup; w++) {
                for (String m : modes) { // untimed steps per mode: the pool fills, the JIT settles
                    Recycling.setEnabled(m.equals("on"));
                    body.run();
                }
            }
            BufferPool.resetStats();
            Recording recording = jfr == null ? null : startRecording();
            for (int i = 0; i < steps; i++) {
                for (int k = 0; k < modes.length; k++) {
                    Recycling.setEnabled(modes[k].equals("on"));
                    long b0 = allocatedBytes(), t0 = System.nanoTime();
                    body.run();
                    ms[k][i] = (System.nanoTime() - t0) / 1e6;
                    bytes[k][i] = allocatedBytes() - b0;
                }
            }
            if (recording != null) stopRecording(recording, Path.of(jfr.replace(".jfr", "-" + what + ".jfr")));
            for (int k = 0; k < modes.length; k++) {
                double[] s = ms[k].clone();
                Arrays.sort(s);
                // MB with one decimal: the allocation left is a few hundred kB of small objects per step
                double[] mb = Arrays.stream(bytes[k]).mapToDouble(b -> Math.round(b / 1e5) / 10.0).toArray();
                double[] sortedMb = mb.clone();
                Arrays.sort(sortedMb);
                System.out.printf(Locale.ROOT, "%-5s recycling %-3s  median %7.0f ms %8.1f MB allocated/step  (steps: ms %s, MB %s)%n",
                        what, modes[k], s[s.length / 2], sortedMb[mb.length / 2], Arrays.toString(round(ms[k])),
                        Arrays.toString(mb));
            }
            System.out.println(what + " timed steps, " + BufferPool.stats() + " (a miss = a fresh large array)");
        }
        Recycling.setEnabled(true);
    }

    private static Recording startRecording() {
        try {
            Recording r = new Recording(Configuration.getConfiguration("profile"));
            // every TLAB refill and outside-TLAB allocation, with its stack: the steady state allocates
            // too little for the throttled samples (run with -XX:TLABSize=4k -XX:-ResizeTLAB for more events)
            r.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            r.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            r.start();
            return r;
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("StepMemory: cannot start the JFR recording: " + e, e);
        }
    }

    private static void stopRecording(Recording r, Path file) {
        try {
            r.stop();
            r.dump(file);
            r.close();
            System.out.println("JFR recording of the timed steps: " + file);
        } catch (IOException e) {
            throw new IllegalStateException("StepMemory: cannot write the JFR recording " + file + ": " + e, e);
        }
    }

    private static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }

    /** Bytes allocated so far by all live threads (the JVM's per-thread TLAB counters). */
    static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                ? t.getTotalThreadAllocatedBytes() : -1;
    }
}
