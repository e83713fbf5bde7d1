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
 * Convolution passes of two (or more) builds side by side in ONE JVM (each benchmarks.jar in a
 * class loader of its own: its own classes, JIT code and thread pool), interleaved repetition by
 * repetition so that both see the same load. Each build runs the path its {@code ConvOps} would
 * take: its {@code Conv2dWinograd} where that applies to the layer, else its {@code Conv2dKernels}
 * (im2col; session 4 ran conv2's F(2×2, 5×5) from there too). With one thread the pass runs in the calling thread and its
 * own CPU clock measures it unshared (median); with more, the wall clock (median) and the process
 * CPU time ÷ threads (mean).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -XX:+UseTransparentHugePages -cp bench/target/benchmarks.jar \
 *        org.jgluon.bench.conv.ConvJarCompare conv2,conv3,conv4,conv5 96,224 fdw 1 9 /tmp/old.jar bench/target/benchmarks.jar
 *   # layers sizes passes(f = forward, d = backward-data, w = backward-weights, b = bias) threads reps jar...
 * </pre>
 */
public final class ConvJarCompare {

    private ConvJarCompare() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: ConvJarCompare layers sizes passes(f|d|w|b...) threads reps jar jar...");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[3]), reps = Integer.parseInt(args[4]), jars = args.length - 5;
        ClassLoader[] loaders = new ClassLoader[jars];
        for (int j = 0; j < jars; j++) {
            loaders[j] = new URLClassLoader(new URL[] {Path.of(args[5 + j]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            loaders[j].loadClass("org.jgluon.engine.Parallel").getMethod("setThreads", int.class).invoke(null, threads);
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] total = new double[jars];
        for (String size : args[1].split(",")) {
            for (String layer : args[0].split(",")) {
                for (char pass : args[2].toCharArray()) {
                    double[] t = compare(loaders, layer, Integer.parseInt(size), pass, threads, reps, os);
                    for (int j = 0; j < jars; j++) total[j] += t[j];
                }
            }
        }
        System.out.printf("all: %s ms; speed of the last vs the first %.3f×; load %.1f%n", Arrays.toString(total),
                total[0] / total[jars - 1], os.getSystemLoadAverage());
    }

    /** Times one pass of one layer in every build; returns each build's figure (ms). */
    private static double[] compare(ClassLoader[] loaders, String layer, int size, char pass, int threads, int reps,
                                    com.sun.management.OperatingSystemMXBean os) throws Exception {
        int jars = loaders.length;
        Runnable[] run = new Runnable[jars];
        String[] path = new String[jars];
        double flops = 0;
        for (int j = 0; j < jars; j++) {
            ClassLoader cl = loaders[j];
            Method conv = cl.loadClass("org.jgluon.bench.conv.AlexNetLayers").getDeclaredMethod("conv", String.class, int.class,
                    int.class);
            conv.setAccessible(true);
            Object g = conv.invoke(null, layer, size, 128);
            Class<?> geo = g.getClass(), wino = cl.loadClass("org.jgluon.engine.kernels.Conv2dWinograd");
            Class<?> k = (boolean) wino.getMethod("applies", geo).invoke(null, g) ? wino
                    : cl.loadClass("org.jgluon.engine.kernels.Conv2dKernels");
            path[j] = k.getSimpleName();
            flops = (double) geo.getMethod("flops").invoke(g);
            int n = 128, c = dim(g, "c"), in = dim(g, "inPixels"), f = dim(g, "f"), taps = dim(g, "colRows"), p = dim(g, "outPixels");
            Random r = new Random(42);
            float[] x = ConvBench.random(r, n * c * in), w = ConvBench.random(r, f * taps), dy = ConvBench.random(r, n * f * p);
            Class<?> fa = float[].class, i = int.class;
            Method m;
            Object[] a;
            switch (pass) {
                case 'f' -> {
                    m = k.getMethod("forward", geo, fa, i, fa, i, fa, i, fa, i);
                    a = new Object[] {g, x, 0, w, 0, ConvBench.random(r, f), 0, new float[dy.length], 0};
                }
                case 'd' -> {
                    m = k.getMethod("backwardData", geo, fa, i, fa, i, fa, i, boolean.class);
                    a = new Object[] {g, dy, 0, w, 0, new float[x.length], 0, false};
                }
                case 'w' -> {
                    m = k.getMethod("backwardWeights", geo, fa, i, fa, i, fa, i, boolean.class);
                    a = new Object[] {g, x, 0, dy, 0, new float[w.length], 0, false};
                }
                case 'b' -> {
                    k = cl.loadClass("org.jgluon.engine.kernels.Conv2dKernels"); // the bias gradient has one path
                    path[j] = k.getSimpleName();
                    m = k.getMethod("backwardBias", geo, fa, i, fa, i, boolean.class);
                    a = new Object[] {g, dy, 0, new float[f], 0, false};
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
        double[][] own = new double[jars][reps], wall = new double[jars][reps], cpu = new double[jars][reps];
        for (int rep = -Math.max(3, reps / 3); rep < reps; rep++) { // negative: untimed JIT warm-up
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
        double[] out = new double[jars];
        StringBuilder line = new StringBuilder(String.format("%s@%d %c:", layer, size, pass));
        for (int j = 0; j < jars; j++) {
            out[j] = threads == 1 ? Stats.median(own[j]) : Stats.median(wall[j]);
            line.append(String.format("  [%d %s] %s %.2f ms (%.0f GFLOPS direct), CPU/thr %.2f", j, path[j],
                    threads == 1 ? "thread CPU" : "wall", out[j], flops / 1e6 / out[j], mean(cpu[j])));
        }
        line.append(String.format("   ratio %.3f×  load %.1f", out[0] / out[jars - 1], os.getSystemLoadAverage()));
        System.out.println(line);
        return out;
    }

    private static int dim(Object g, String name) throws ReflectiveOperationException {
        return (int) g.getClass().getMethod(name).invoke(g);
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(0);
    }
}
