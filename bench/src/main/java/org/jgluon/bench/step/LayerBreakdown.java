package org.jgluon.bench.step;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgluon.bench.Stats;
import org.jgluon.bench.sgemm.SgemmSideBySide;
import org.jgluon.engine.Parallel;
import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.memory.Recycling;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.nn.Activation;
import org.jgluon.gluon.nn.BatchNorm;
import org.jgluon.gluon.nn.Block;
import org.jgluon.gluon.nn.Conv2D;
import org.jgluon.gluon.nn.Dense;
import org.jgluon.gluon.nn.Sequential;

/**
 * Where the time of a training step goes: each layer of the step's network run on its own, its
 * forward under {@code autograd.record} and its backward from a fixed random head gradient, plus
 * the loss and the optimizer update; also the predict-mode forward. A BatchNorm followed by ReLU
 * is timed as the one fused unit that {@link Sequential} runs. The first layer gets no input
 * gradient, as in the real step. Convolutions and dense layers report GFLOPS against the FMA peak
 * of the threads in use (forward 2·out·fan-in flops; backward twice that, once without an input
 * gradient).
 *
 * <p>The per-layer sum exceeds the whole step a little (each layer's backward walks its own small
 * graph); the shares are what matter.
 */
public final class LayerBreakdown {

    /** One timed unit: a layer (or a fused pair) of the network, the loss or the optimizer step. */
    public record Row(String category, String label, int[] outShape, double forwardMs, double backwardMs,
                      double inferMs, double forwardFlops, double backwardFlops, double forwardCpuMs, double backwardCpuMs) {}

    /** Below this, the process CPU clock (tick-based in this VM) is too coarse for a rate. */
    static final double MIN_CPU_MS = 20;

    private LayerBreakdown() {}

    /** Times every unit {@code reps} times (median) after one untimed run; the step must have trained once. */
    public static List<Row> measure(TrainingStep step, int reps) {
        List<Row> rows = new ArrayList<>();
        Tensor x = step.input();
        Rng rng = new Rng(7);
        for (Unit unit : units(step.net())) {
            Block b = unit.first();
            Tensor in = x;
            boolean inputGrad = x != step.input();
            Block u = unit.block();
            Tensor out = Autograd.record(() -> u.forward(prepared(in, inputGrad)));
            Tensor head = random(rng, out.shape());
            double[] fwd = new double[reps], bwd = new double[reps], inf = new double[reps], fwdCpu = new double[reps],
                    bwdCpu = new double[reps];
            // one input leaf for all repetitions and the outputs given back after use: in the whole
            // step every large buffer is a reused (warm) pooled one, and so it is here
            Tensor leaf = prepared(in, inputGrad);
            for (int r = -1; r < reps; r++) { // r = -1: untimed warm-up
                long c0 = StepTiming.processCpuNanos(), t0 = System.nanoTime();
                Tensor y = Autograd.record(() -> u.forward(leaf));
                long c1 = StepTiming.processCpuNanos(), t1 = System.nanoTime();
                if (y.requiresGrad()) y.backward(head);
                long c2 = StepTiming.processCpuNanos(), t2 = System.nanoTime();
                Tensor p = Autograd.pause(false, () -> u.forward(in));
                long t3 = System.nanoTime();
                disposeUnlessInput(y, in);
                disposeUnlessInput(p, in);
                if (r >= 0) {
                    fwd[r] = (t1 - t0) / 1e6;
                    bwd[r] = (t2 - t1) / 1e6;
                    inf[r] = (t3 - t2) / 1e6;
                    fwdCpu[r] = (c1 - c0) / 1e6;
                    bwdCpu[r] = (c2 - c1) / 1e6;
                }
            }
            double flops = forwardFlops(b, out);
            rows.add(new Row(unit.category(), unit.label(), out.shape(), Stats.median(fwd), Stats.median(bwd), Stats.median(inf),
                    flops, inputGrad ? 2 * flops : flops, Stats.median(fwdCpu), Stats.median(bwdCpu)));
            x = out.detach();
        }
        rows.add(lossRow(step, x, reps));
        rows.add(trainerRow(step, reps));
        return rows;
    }

    private static Row lossRow(TrainingStep step, Tensor logits, int reps) {
        double[] fwd = new double[reps], bwd = new double[reps];
        for (int r = -1; r < reps; r++) {
            Tensor leaf = prepared(logits, true);
            long t0 = System.nanoTime();
            Tensor l = Autograd.record(() -> NdOps.sum(step.loss().forward(leaf, step.labels())));
            long t1 = System.nanoTime();
            l.backward();
            long t2 = System.nanoTime();
            if (r >= 0) {
                fwd[r] = (t1 - t0) / 1e6;
                bwd[r] = (t2 - t1) / 1e6;
            }
        }
        return new Row("loss", "SoftmaxCrossEntropy + sum", new int[] {1}, Stats.median(fwd), Stats.median(bwd), 0, 0, 0, Double.NaN, Double.NaN);
    }

    private static Row trainerRow(TrainingStep step, int reps) {
        double[] t = new double[reps];
        for (int r = -1; r < reps; r++) {
            long t0 = System.nanoTime();
            step.trainer().step(step.batch());
            if (r >= 0) t[r] = (System.nanoTime() - t0) / 1e6;
        }
        return new Row("trainer.step", "SGD update of every parameter", new int[0], 0, Stats.median(t), 0, 0, 0, Double.NaN, Double.NaN);
    }

    /** Gives a unit's output back to the buffer pool, unless it shares its input's array (Flatten, Dropout at predict). */
    private static void disposeUnlessInput(Tensor out, Tensor in) {
        if (out.storage() != null && out.storage() != in.storage()) Recycling.dispose(out);
    }

    /** The unit's input: a fresh leaf with a gradient when the layer must back-propagate to it. */
    private static Tensor prepared(Tensor x, boolean inputGrad) {
        Tensor leaf = x.detach();
        return inputGrad ? leaf.attachGrad() : leaf;
    }

    /**
     * A part of the network timed on its own: one block, or a BatchNorm with the ReLU after it as
     * one fused unit (Sequential fuses the pair, as in the whole network). {@code index} is the
     * position of its first block.
     */
    record Unit(int index, Block first, Block block, String label, String category) {}

    /** The network's units, in order ({@link Unit}). */
    static List<Unit> units(Sequential net) {
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < net.size(); i++) {
            Block b = net.get(i);
            if (b instanceof BatchNorm bn && i + 1 < net.size() && net.get(i + 1) instanceof Activation a
                    && a.type().equals("relu")) {
                units.add(new Unit(i, b, new Sequential().add(bn, a), "BatchNorm+ReLU (fused)", "BatchNorm+ReLU"));
                i++;
            } else {
                units.add(new Unit(i, b, b, b.describe(), category(b)));
            }
        }
        return units;
    }

    private static String category(Block b) {
        String name = b.getClass().getSimpleName();
        String d = b.describe();
        return (b instanceof Conv2D || b instanceof Dense) && d.endsWith(", relu") ? name + "+relu" : name;
    }

    /** 2·(output elements)·(fan-in) for a convolution or dense layer, else 0. */
    private static double forwardFlops(Block b, Tensor out) {
        Tensor w = b instanceof Conv2D c ? c.weight().data() : b instanceof Dense d ? d.weight().data() : null;
        return w == null ? 0 : 2.0 * out.size() * (w.size() / w.dim(0));
    }

    /** A tensor of the shape, uniform in [−1, 1) from rng (a head gradient). */
    static Tensor random(Rng rng, int[] shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, rng.nextUniform(-1f, 1f));
        return t;
    }

    /**
     * The per-layer table and the per-type summary: time, share of the summed time, and GFLOPS
     * against the peak both by the wall clock and by the CPU time the process got ("CPU-rate" =
     * flops / (CPU seconds / threads)). On a shared machine the wall rate falls with the load; the
     * CPU-rate estimates the unloaded one, and overstates a layer that does not use every thread.
     */
    public static String format(TrainingStep step, List<Row> rows, double wholeStepMs) {
        int threads = Parallel.threads();
        double peak = SgemmSideBySide.PEAK_GFLOPS_PER_CORE * threads;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Per-layer breakdown: %s, %d thread(s), FMA peak %.0f GFLOPS; whole step %.0f ms%n",
                step, threads, peak, wholeStepMs));
        sb.append(String.format(Locale.ROOT, "%-3s %-30s %-17s %8s %8s %8s %5s %-21s %-21s%n", "#", "layer", "output", "fwd ms",
                "bwd ms", "infer ms", "CPU", "fwd GFLOPS wall|CPU", "bwd GFLOPS wall|CPU"));
        double total = rows.stream().mapToDouble(r -> r.forwardMs() + r.backwardMs()).sum();
        Map<String, double[]> byCategory = new LinkedHashMap<>();
        int i = 0;
        for (Row r : rows) {
            double cpuMs = r.forwardCpuMs() + r.backwardCpuMs(), ms = r.forwardMs() + r.backwardMs();
            sb.append(String.format(Locale.ROOT, "%-3d %-30s %-17s %8.1f %8.1f %8.1f %5s %-21s %-21s%n", i++, clip(r.label(), 30),
                    Arrays.toString(r.outShape()).replace(" ", ""), r.forwardMs(), r.backwardMs(), r.inferMs(),
                    Double.isNaN(cpuMs) || cpuMs < MIN_CPU_MS ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * cpuMs / (ms * threads)),
                    rates(r.forwardFlops(), r.forwardMs(), r.forwardCpuMs(), threads, peak),
                    rates(r.backwardFlops(), r.backwardMs(), r.backwardCpuMs(), threads, peak)));
            double[] acc = byCategory.computeIfAbsent(r.category(), k -> new double[4]);
            acc[0] += ms;
            acc[1] += r.forwardFlops() + r.backwardFlops();
            acc[2] += r.inferMs();
            acc[3] += Double.isNaN(cpuMs) ? ms * threads : cpuMs;
        }
        sb.append(String.format(Locale.ROOT, "%nby layer type (sum of the rows: %.0f ms)%n", total));
        sb.append(String.format(Locale.ROOT, "%-16s %10s %7s %-23s %10s%n", "type", "fwd+bwd ms", "share", "GFLOPS wall|CPU (peak)",
                "infer ms"));
        byCategory.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).forEach(e -> {
            double[] v = e.getValue();
            sb.append(String.format(Locale.ROOT, "%-16s %10.1f %6.1f%% %-23s %10.1f%n", e.getKey(), v[0], 100 * v[0] / total,
                    rates(v[1], v[0], v[3], threads, peak), v[2]));
        });
        return sb.toString();
    }

    /** "wall (pct) | CPU-rate (pct)" GFLOPS, or "-" for a layer without multiply-adds. */
    private static String rates(double flops, double ms, double cpuMs, int threads, double peak) {
        if (flops == 0 || ms <= 0) return "-";
        double wall = flops / (ms * 1e6), cpu = flops / (cpuMs / threads * 1e6);
        String w = String.format(Locale.ROOT, "%.0f (%.0f%%)", wall, 100 * wall / peak);
        return cpuMs < MIN_CPU_MS ? w + " | -" : w + String.format(Locale.ROOT, " | %.0f (%.0f%%)", cpu, 100 * cpu / peak);
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
