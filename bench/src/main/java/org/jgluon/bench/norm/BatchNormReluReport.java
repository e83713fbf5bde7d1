package org.jgluon.bench.norm;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link BatchNormReluBench} (fused and unfused) and prints each as ms per training step
 * (minimum, median, mean) and GB/s, with the fused speed-up. GB/s counts the five tensor passes any BatchNorm+ReLU step must
 * make — read x and write z forward, read dz and x and write dx backward (5 × 4 bytes × size) —
 * so it reads directly against the machine's memory bandwidth (≈ 65 GB/s on two cores here,
 * which makes ≈ 11 ms the bound for (128, 96, 54, 54)).
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * org.jgluon.bench.norm.BatchNormReluReport [threads] [shape] [variants]} (defaults 2, 128,96,54,54 and
 * fused,unfused; {@code fused,unfused,relu} adds the ReLU pair alone, and with it the speed-up the
 * fused step could reach against this unfused pair, {@code 1 + relu/fused}).
 */
public final class BatchNormReluReport {

    private BatchNormReluReport() {}

    public static void main(String[] args) throws Exception {
        String threads = args.length > 0 ? args[0] : "2";
        String shape = args.length > 1 ? args[1] : "128,96,54,54";
        String variants = args.length > 2 ? args[2] : "fused,unfused";
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(BatchNormReluBench.class.getName() + ".step")
                .param("threads", threads)
                .param("shape", shape)
                .param("variant", variants.split(","));
        Collection<RunResult> results = new Runner(b.build()).run();

        long size = 1;
        for (String d : shape.split(",")) size *= Long.parseLong(d.trim());
        double gb = 5.0 * 4 * size / 1e9;
        Map<String, Statistics> byVariant = new LinkedHashMap<>();
        for (RunResult r : results) byVariant.put(r.getParams().getParam("variant"), r.getPrimaryResult().getStatistics());
        System.out.printf("%nBatchNorm+ReLU forward+backward, shape (%s), %s threads, ms per step (GB/s)%n", shape, threads);
        System.out.printf("  %-8s %16s %16s %16s %7s%n", "", "min", "median", "mean", "steps");
        for (Map.Entry<String, Statistics> e : byVariant.entrySet()) {
            Statistics st = e.getValue();
            System.out.printf("  %-8s %s %s %s %7d%n", e.getKey(), cell(st.getMin(), gb), cell(st.getPercentile(50), gb),
                    cell(st.getMean(), gb), st.getN());
        }
        if (byVariant.containsKey("fused") && byVariant.containsKey("unfused")) {
            Statistics f = byVariant.get("fused"), u = byVariant.get("unfused");
            System.out.printf("  fused speed-up over the unfused pair: %.2fx (min), %.2fx (median), %.2fx (mean)%n",
                    u.getMin() / f.getMin(), u.getPercentile(50) / f.getPercentile(50), u.getMean() / f.getMean());
        }
        if (byVariant.containsKey("fused") && byVariant.containsKey("relu")) {
            // unfused = the same BatchNorm kernels + the ReLU pair, so the speed-up is about 1 + relu/fused
            Statistics f = byVariant.get("fused"), r = byVariant.get("relu");
            System.out.printf("  1 + relu/fused (the speed-up this unfused pair allows): %.2fx (min), %.2fx (median)%n",
                    1 + r.getMin() / f.getMin(), 1 + r.getPercentile(50) / f.getPercentile(50));
        }
    }

    private static String cell(double ms, double gb) {
        return String.format("%7.2f (%5.1f)", ms, gb / (ms / 1e3));
    }
}
