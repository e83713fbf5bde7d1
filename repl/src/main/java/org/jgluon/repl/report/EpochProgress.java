package org.jgluon.repl.report;

import java.io.Console;
import java.util.Locale;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The live line of a running epoch on a terminal: batches done of all, images per second, the
 * running loss and accuracy, and the ETA. Off a terminal (output piped to a file, CI) it draws
 * nothing: the script's per-epoch lines are the whole log there.
 */
final class EpochProgress implements AutoCloseable {

    private final ProgressBar bar; // null when not drawing
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private long samples;
    private double lossSum;
    private double correct;

    private EpochProgress(ProgressBar bar) {
        this.bar = bar;
    }

    /** Whether a live line makes sense: standard input and output on a terminal, and not CI. */
    static boolean interactive() {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) return false;
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    static EpochProgress start(String task, int batches, boolean draw) {
        if (!draw) return new EpochProgress(null);
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(Math.max(1, batches))
                .setStyle(ProgressBarStyle.ASCII)
                // Redrawn from batch() in the training thread, never by the library's timer: a run
                // interrupted in the REPL must not leave a line that keeps redrawing itself.
                .setUpdateIntervalMillis(Integer.MAX_VALUE)
                // On standard output, with the epoch lines: the launcher filters standard error
                // line by line, which would hold back a line that is redrawn with \r.
                .setConsumer(new ConsoleProgressBarConsumer(System.out))
                .clearDisplayOnFinish()
                .build();
        return new EpochProgress(bar);
    }

    /** One finished batch: its sample count, its summed loss and its number of correct predictions. */
    void batch(double batchSamples, double batchLossSum, double batchCorrect) {
        samples += (long) batchSamples;
        lossSum += batchLossSum;
        correct += batchCorrect;
        if (bar == null) return;
        bar.step();
        long now = System.nanoTime();
        if (now - lastDraw > 200_000_000L || bar.getCurrent() >= bar.getMax()) {
            lastDraw = now;
            bar.setExtraMessage(message());
            bar.refresh();
        }
    }

    String message() {
        double secs = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        return samples == 0 ? "" : String.format(Locale.ROOT, "%.0f img/s loss %.4f acc %.3f",
                samples / secs, lossSum / samples, correct / samples);
    }

    long samples() {
        return samples;
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
