package org.jgluon.bench.compare;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One timed run of a step: who ran it ({@code framework}, e.g. "jgluon", "pytorch",
 * "pytorch channels_last", "mxnet"), which step, and the speed. Peers report it as one JSON line
 * ({@code bench/compare/pytorch_alexnet.py}, the bench-mxnet driver); {@link #fromJson} reads the
 * few flat fields it needs.
 */
public record Measurement(String framework, String net, int res, String mode, double imagesPerSecond, double medianStepSeconds,
                          double bestStepSeconds, int steps, double meanStepSeconds, double cpuSecondsPerStep) {

    /** {@code mean_step_s} and {@code cpu_s_per_step} are optional (NaN when absent). */
    public static Measurement fromJson(String framework, String line) {
        return new Measurement(framework, string(line, "net"), (int) number(line, "res"), string(line, "mode"),
                number(line, "images_per_s"), number(line, "median_step_s"), number(line, "best_step_s"), (int) number(line, "steps"),
                optional(line, "mean_step_s"), optional(line, "cpu_s_per_step"));
    }

    /** The share of {@code threads} cores the side's process used while timing (NaN when unknown). */
    public double cpuShare(int threads) {
        return cpuSecondsPerStep / (meanStepSeconds * threads);
    }

    private static double optional(String json, String key) {
        return json.contains("\"" + key + "\"") ? number(json, key) : Double.NaN;
    }

    private static String string(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) throw new IllegalArgumentException("peer output: no \"" + key + "\" in " + json);
        return m.group(1);
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*([-+0-9.eE]+|NaN|Infinity)").matcher(json);
        if (!m.find()) throw new IllegalArgumentException("peer output: no number \"" + key + "\" in " + json);
        return Double.parseDouble(m.group(1));
    }
}
