package org.jgluon.bench.norm;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link BatchNormReluBench} (fused and unfused) and prints each as ms per training step and
 * GB/s, with the fused speed-up. GB/s counts the five tensor passes any BatchNorm+ReLU step must
 * make — read x and write z forward, read dz and x and write dx backward (5 × 4 bytes × size) —
 * so it reads directly against the machine's memory bandwidth (≈ 65 GB/s on two cores here,
 * which makes ≈ 11 ms the bound for (128, 96, 54, 54)).
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * org.jgluon.bench.norm.BatchNormReluReport [threads] [shape]} (defaults 2 and 128,96,54,54).
 */
public final class BatchNormReluReport {

    private BatchNormReluReport() {}

    public static void main(String[] args) throws Exception {
        String threads = args.length > 0 ? args[0] : "2";
        String shape = args.length > 1 ? args[1] : "128,96,54,54";
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(BatchNormReluBench.class.getName() + ".step")
                .param("threads", threads)
                .param("shape", shape);
        Collection<RunResult> results = new Runner(b.build()).run();

        long size = 1;
        for (String d : shape.split(",")) size *= Long.parseLong(d.trim());
        double gb = 5.0 * 4 * size / 1e9;
        Map<String, double[]> byVariant = new LinkedHashMap<>();
        for (RunResult r : results) {
            byVariant.put(r.getParams().getParam("variant"),
                    new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        System.out.printf("%nBatchNorm+ReLU forward+backward, shape (%s), %s threads%n", shape, threads);
        for (Map.Entry<String, double[]> e : byVariant.entrySet()) {
            double ms = e.getValue()[0];
            System.out.printf("  %-8s %8.2f ± %.2f ms   %6.1f GB/s%n", e.getKey(), ms, e.getValue()[1], gb / (ms / 1e3));
        }
        if (byVariant.containsKey("fused") && byVariant.containsKey("unfused")) {
            System.out.printf("  fused is %.2fx the unfused pair%n", byVariant.get("unfused")[0] / byVariant.get("fused")[0]);
        }
    }
}
