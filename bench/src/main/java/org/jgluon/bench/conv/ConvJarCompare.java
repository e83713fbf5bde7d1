package org.jgluon.bench.conv;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.jgluon.bench.Stats;

/**
 * One convolution pass of two (or more) builds side by side in ONE JVM: each benchmarks.jar in a
 * class loader of its own (its own classes, JIT code and thread pool), the builds' calls
 * interleaved repetition by repetition, so that both see the same load on a shared machine.
 * With one thread the pass runs in the calling thread and its own CPU clock (ns resolution)
 * measures it unshared; with more, the wall clock and the process CPU time ÷ threads.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -XX:+UseTransparentHugePages -cp bench/target/benchmarks.jar \
 *        org.jgluon.bench.conv.ConvJarCompare conv1 96 w 1 30 /tmp/old.jar bench/target/benchmarks.jar
 *   # layer size pass(f = forward, d = backward-data, w = backward-weights, b = bias) threads reps jar...
 * </pre>
 */
public final class ConvJarCompare {

    private ConvJarCompare() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: ConvJarCompare layer size pass(f|d|w|b) threads reps jar...");
            System.exit(2);
        }
        String layer = args[0], pass = args[2];
        int size = Integer.parseInt(args[1]), threads = Integer.parseInt(args[3]), reps = Integer.parseInt(args[4]);
        int jars = args.length - 5;
        Runnable[] run = new Runnable[jars];
        double flops = 0;
        for (int j = 0; j < jars; j++) {
            ClassLoader cl = new URLClassLoader(new URL[] {Path.of(args[5 + j]).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            cl.loadClass("org.jgluon.engine.Parallel").getMethod("setThreads", int.class).invoke(null, threads);
            Method conv = cl.loadClass("org.jgluon.bench.conv.AlexNetLayers").getDeclaredMethod("conv", String.class, int.class, int.class);
            conv.setAccessible(true);
            Object g = conv.invoke(null, layer, size, 128);
            Class<?> geo = g.getClass(), k = cl.loadClass("org.jgluon.engine.kernels.Conv2dKernels");
            flops = (double) geo.getMethod("flops").invoke(g);
            int n = 128, c = dim(g, "c"), in = dim(g, "inPixels"), f = dim(g, "f"), taps = dim(g, "colRows"), p = dim(g, "outPixels");
            Random r = new Random(42);
            float[] x = ConvBench.random(r, n * c * in), w = ConvBench.random(r, f * taps), dy = ConvBench.random(r, n * f * p);
            Class<?> fa = float[].class, i = int.class;
            Method m;
            Object[] a;
            switch (pass) {
                case "f" -> {
                    m = k.getMethod("forward", geo, fa, i, fa, i, fa, i, fa, i);
                    a = new Object[] {g, x, 0, w, 0, ConvBench.random(r, f), 0, new float[dy.length], 0};
                }
                case "d" -> {
                    m = k.getMethod("backwardData", geo, fa, i, fa, i, fa, i);
                    a = new Object[] {g, dy, 0, w, 0, new float[x.length], 0};
                }
                case "w" -> {
                    m = k.getMethod("backwardWeights", geo, fa, i, fa, i, fa, i);
                    a = new Object[] {g, x, 0, dy, 0, new float[w.length], 0};
                }
                case "b" -> {
                    m = k.getMethod("backwardBias", geo, fa, i, fa, i);
                    a = new Object[] {g, dy, 0, new float[f], 0};
                }
                default -> throw new IllegalArgumentException("pass must be f, d, w or b, got '" + pass + "'");
            }
            run[j] = () -> {
                try {
                    m.invoke(null, a);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            };
        }
        var tb = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[][] own = new double[jars][reps], wall = new double[jars][reps], cpu = new double[jars][reps];
        for (int rep = -Math.max(5, reps / 4); rep < reps; rep++) { // negative: untimed JIT warm-up
            for (int j = 0; j < jars; j++) {
                long t0 = tb.getCurrentThreadCpuTime(), w0 = System.nanoTime(), c0 = os.getProcessCpuTime();
                run[j].run();
                long t1 = tb.getCurrentThreadCpuTime(), w1 = System.nanoTime(), c1 = os.getProcessCpuTime();
                if (rep >= 0) {
                    own[j][rep] = (t1 - t0) / 1e6;
                    wall[j][rep] = (w1 - w0) / 1e6;
                    cpu[j][rep] = (c1 - c0) / 1e6 / threads;
                }
            }
        }
        System.out.printf("%s at %d, pass %s, batch 128, %d thread(s), %.2f GFLOP, %d interleaved repetitions, load %.1f%n",
                layer, size, pass, threads, flops / 1e9, reps, os.getSystemLoadAverage());
        double first = threads == 1 ? Stats.median(own[0]) : mean(cpu[0]);
        for (int j = 0; j < jars; j++) {
            double measure = threads == 1 ? Stats.median(own[j]) : mean(cpu[j]);
            System.out.printf("  %-40s %s %7.2f ms (%4.0f GFLOPS)   best wall %7.2f ms   speed vs the first %.2f×%n",
                    args[5 + j], threads == 1 ? "thread CPU, median" : "process CPU/thread, mean", measure, flops / 1e6 / measure,
                    Arrays.stream(wall[j]).min().orElse(0), first / measure);
        }
    }

    private static int dim(Object g, String name) throws ReflectiveOperationException {
        return (int) g.getClass().getMethod(name).invoke(g);
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(0);
    }
}
