package org.jgluon.bench.dense;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jgluon.bench.Stats;

/**
 * The dense layer's three products at batch 128, two (or more) builds side by side in ONE JVM:
 * each benchmarks.jar in a class loader of its own (own classes, JIT code and thread pool), the
 * builds' calls interleaved repetition by repetition so that all see the same load.
 *
 * <p>Passes: {@code f} forward y = x·Wᵀ + b (with ReLU: {@code fr}), {@code d} backward-data
 * dx = dy·W, {@code w} backward-weights dW += dyᵀ·x, {@code w0} dW as the weight's first gradient
 * of a step (written with beta 0 by a build with DenseKernels; zeroed, then added, by an older one); {@code sq} a square SGEMM of side {@code in}
 * (M = N = K, units ignored). A build with
 * {@code org.jgluon.engine.kernels.DenseKernels} runs its kernels; an older one the SGEMM calls
 * its {@code NdOps.dense} made (forward: x·Wᵀ with W as transposed B, then the bias per row, then
 * ReLU as a separate pass).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -XX:+UseTransparentHugePages -Xmx6g -cp bench/target/benchmarks.jar \
 *        org.jgluon.bench.dense.DenseJarCompare 4096x4096,256x4096 f,d,w 2 20 /tmp/old.jar bench/target/benchmarks.jar
 *   # shapes (in x units) passes threads reps jar...
 * </pre>
 * With one thread the calling thread's own CPU clock measures each call (unshared); with more,
 * the process CPU time ÷ threads, and the wall clock.
 */
public final class DenseJarCompare {

    /** AVX-512 FP32 FMA peak of one core of this machine (issue 2). */
    private static final double PEAK_PER_CORE = 205;
    private static final int BATCH = 128;

    private DenseJarCompare() {}

    public static void main(String[] args) throws Throwable {
        if (args.length < 5) {
            System.err.println("usage: DenseJarCompare in x units[,in x units...] f|fr|d|w|w0|sq[,...] threads reps jar...");
            System.exit(2);
        }
        String[] shapes = args[0].split(","), passes = args[1].split(",");
        int threads = Integer.parseInt(args[2]), reps = Integer.parseInt(args[3]);
        List<String> jars = Arrays.asList(args).subList(4, args.length);
        List<Build> builds = new ArrayList<>();
        for (String jar : jars) builds.add(new Build(jar, threads));
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("dense layer products at batch %d, %d thread(s), %d interleaved repetitions each; FMA peak %.0f GFLOPS%n",
                BATCH, threads, reps, PEAK_PER_CORE * threads);
        for (String shape : shapes) {
            String[] d = shape.split("x");
            int in = Integer.parseInt(d[0]), units = Integer.parseInt(d[1]);
            for (String pass : passes) {
                Runnable[] run = new Runnable[builds.size()];
                for (int j = 0; j < run.length; j++) run[j] = builds.get(j).pass(pass, in, units);
                double flops = pass.equals("sq") ? 2.0 * in * in * in : 2.0 * BATCH * in * units;
                measure(pass.equals("sq") ? in + "³" : shape, pass, flops, threads, reps, run, jars, os);
            }
        }
        System.out.printf("load average at the end: %.1f on %d cores%n", os.getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    private static void measure(String shape, String pass, double flops, int threads, int reps, Runnable[] run,
                                List<String> jars, com.sun.management.OperatingSystemMXBean os) {
        var tb = ManagementFactory.getThreadMXBean();
        int n = run.length;
        double[][] own = new double[n][reps], wall = new double[n][reps], cpu = new double[n][reps];
        // Untimed warm-up: at least 5 calls and 2 s per build, so that C2 has compiled the paths
        // this shape reaches (a tile first reached here runs in C1's code, boxed, for hundreds of calls).
        long warmEnd = System.nanoTime() + 2_000_000_000L * n;
        for (int rep = 0; rep < 5 || System.nanoTime() < warmEnd; rep++) {
            for (Runnable r : run) r.run();
        }
        for (int rep = 0; rep < reps; rep++) {
            for (int j = 0; j < n; j++) {
                long t0 = tb.getCurrentThreadCpuTime(), w0 = System.nanoTime(), c0 = os.getProcessCpuTime();
                run[j].run();
                long t1 = tb.getCurrentThreadCpuTime(), w1 = System.nanoTime(), c1 = os.getProcessCpuTime();
                own[j][rep] = (t1 - t0) / 1e6;
                wall[j][rep] = (w1 - w0) / 1e6;
                cpu[j][rep] = (c1 - c0) / 1e6 / threads;
            }
        }
        System.out.printf("%s pass %s (%.2f GFLOP)%n", shape, pass, flops / 1e9);
        double first = threads == 1 ? Stats.median(own[0]) : mean(cpu[0]);
        for (int j = 0; j < n; j++) {
            double measure = threads == 1 ? Stats.median(own[j]) : mean(cpu[j]);
            double medWall = Stats.median(wall[j]);
            // the process CPU clock ticks in 10 ms: its share of the cores means something only over longer runs
            double cpuTotal = mean(cpu[j]) * threads * reps;
            String cpuShare = cpuTotal < 200 ? "  -" : String.format("%3.0f", 100 * mean(cpu[j]) / mean(wall[j]));
            System.out.printf("  %-34s %s %7.2f ms (%4.0f GFLOPS, %3.0f%% of peak)  wall median %7.2f ms (%4.0f GFLOPS, %3.0f%%), CPU %s%% of %d cores   speed vs the first %.2f×%n",
                    jars.get(j), threads == 1 ? "thread CPU median" : "CPU/thread mean", measure, flops / 1e6 / measure,
                    100 * flops / 1e6 / measure / PEAK_PER_CORE, medWall, flops / 1e6 / medWall,
                    100 * flops / 1e6 / medWall / (PEAK_PER_CORE * threads), cpuShare, threads, first / measure);
        }
    }

    /** One build: its classes in a loader of their own, the kernels looked up by name. */
    private static final class Build {
        private final MethodHandle sgemm, denseForward, denseData, denseWeights, addInto, relu;

        Build(String jar, int threads) throws Throwable {
            ClassLoader cl = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            cl.loadClass("org.jgluon.engine.Parallel").getMethod("setThreads", int.class).invoke(null, threads);
            var lookup = MethodHandles.publicLookup();
            Class<?> f = float[].class, i = int.class, z = boolean.class, fl = float.class;
            sgemm = lookup.findStatic(cl.loadClass("org.jgluon.engine.kernels.Sgemm"), "sgemm",
                    MethodType.methodType(void.class, new Class<?>[] {z, z, i, i, i, fl, f, i, i, f, i, i, fl, f, i, i}));
            Class<?> ew = cl.loadClass("org.jgluon.engine.kernels.ElementwiseKernels");
            addInto = lookup.findStatic(ew, "addInto", MethodType.methodType(void.class, f, i, f, i, i));
            Class<?> act = cl.loadClass("org.jgluon.engine.kernels.ActivationKernels");
            Class<?> kind = cl.loadClass("org.jgluon.engine.kernels.ActivationKernels$Kind");
            Object reluKind = Enum.valueOf(kind.asSubclass(Enum.class), "RELU");
            relu = lookup.findStatic(act, "forward", MethodType.methodType(void.class, kind, fl, f, i, f, i, i))
                    .bindTo(reluKind);
            Class<?> dk;
            try {
                dk = cl.loadClass("org.jgluon.engine.kernels.DenseKernels");
            } catch (ClassNotFoundException e) {
                dk = null;
            }
            denseForward = dk == null ? null : lookup.findStatic(dk, "forward",
                    MethodType.methodType(void.class, i, i, i, f, i, f, i, f, i, z, f, i));
            denseData = dk == null ? null : lookup.findStatic(dk, "backwardData",
                    MethodType.methodType(void.class, i, i, i, f, i, f, i, fl, f, i));
            denseWeights = dk == null ? null : lookup.findStatic(dk, "backwardWeights",
                    MethodType.methodType(void.class, i, i, i, f, i, f, i, fl, f, i));
        }

        Runnable pass(String pass, int in, int units) {
            int n = BATCH;
            Random r = new Random(42);
                float[] x = random(r, n * in), w = random(r, units * in), b = random(r, units), dy = random(r, n * units);
            float[] y = new float[n * units], y2 = new float[n * units], dx = new float[n * in], dw = new float[units * in];
            boolean withRelu = pass.equals("fr");
            return switch (pass) {
                case "f", "fr" -> () -> call(() -> {
                    if (denseForward != null) {
                        denseForward.invokeExact(n, in, units, x, 0, w, 0, b, 0, withRelu, y, 0);
                    } else { // the old NdOps.dense, then ActivationOps.relu into a second tensor
                        sgemm.invokeExact(false, true, n, units, in, 1f, x, 0, in, w, 0, in, 0f, y, 0, units);
                        for (int row = 0; row < n; row++) addInto.invokeExact(y, row * units, b, 0, units);
                        if (withRelu) relu.invokeExact(0f, y, 0, y2, 0, n * units);
                    }
                });
                case "d" -> () -> call(() -> {
                    if (denseData != null) denseData.invokeExact(n, in, units, dy, 0, w, 0, 1f, dx, 0);
                    else sgemm.invokeExact(false, false, n, in, units, 1f, dy, 0, units, w, 0, in, 1f, dx, 0, in);
                });
                case "w" -> () -> call(() -> {
                    if (denseWeights != null) denseWeights.invokeExact(n, in, units, dy, 0, x, 0, 1f, dw, 0);
                    else sgemm.invokeExact(true, false, units, in, n, 1f, dy, 0, units, x, 0, in, 1f, dw, 0, in);
                });
                case "w0" -> () -> call(() -> { // dW as a first gradient: written (beta 0) vs zeroed then added
                    if (denseWeights != null) {
                        denseWeights.invokeExact(n, in, units, dy, 0, x, 0, 0f, dw, 0);
                    } else {
                        java.util.Arrays.fill(dw, 0f);
                        sgemm.invokeExact(true, false, units, in, n, 1f, dy, 0, units, x, 0, in, 1f, dw, 0, in);
                    }
                });
                case "sq" -> { // a square SGEMM of side in (issue 2's 1024³ on one thread), to check it did not regress
                    float[] a = random(r, in * in), bb = random(r, in * in), c = new float[in * in];
                    yield () -> call(() -> {
                        sgemm.invokeExact(false, false, in, in, in, 1f, a, 0, in, bb, 0, in, 0f, c, 0, in);
                    });
                }
                default -> throw new IllegalArgumentException("pass must be f, fr, d, w, w0 or sq, got '" + pass + "'");
            };
        }
    }

    private interface Call {
        void run() throws Throwable;
    }

    private static void call(Call c) {
        try {
            c.run();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static float[] random(Random r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = r.nextFloat() - 0.5f;
        return a;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(0);
    }
}
