package org.jgluon.bench.step;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.jgluon.bench.Stats;
import org.jgluon.engine.Parallel;
import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.memory.Recycling;
import org.jgluon.gluon.nn.Block;

/**
 * Old vs new in one JVM: the training step and the per-layer breakdown with a backward's first
 * gradient store overwriting ({@code Tensor.gradTarget}, the default) and with the old
 * zero-then-add path ({@link Autograd#setOverwriteGradients}{@code (false)}), alternated
 * {@code rounds} times so that both see the same machine load. Prints each unit's forward+backward
 * median per setting and the ratio, the whole step's wall and CPU time, and each unit's backward
 * alone with the two settings alternating rep by rep (min and median: the robust figure on a
 * shared machine).
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -XX:+UseTransparentHugePages -Xmx6g -cp bench/target/benchmarks.jar \
 *       org.jgluon.bench.step.OverwriteCompare alexnet_bn 96 2 5 3
 * </pre>
 * Arguments: network, resolution, rounds (each = on then off), whole steps per setting and
 * round, breakdown repetitions (0 = whole step only). Rounds 0: only the interleaved per-unit
 * backward ({@code max(9, 3·reps)} reps per setting).
 */
public final class OverwriteCompare {

    private OverwriteCompare() {}

    public static void main(String[] args) {
        AlexNets kind = AlexNets.of(args.length > 0 ? args[0] : "alexnet_bn");
        int res = args.length > 1 ? Integer.parseInt(args[1]) : 96;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int reps = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        TrainingStep step = new TrainingStep(kind, res, 128, 42);
        for (int i = 0; i < 4; i++) step.train(); // JIT warm-up, pool filled
        boolean[] modes = {true, false};
        List<double[]> wall = new ArrayList<>(), cpu = new ArrayList<>();
        List<List<LayerBreakdown.Row>> rows = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
            wall.add(new double[0]);
            cpu.add(new double[0]);
            rows.add(new ArrayList<>());
        }
        double load0 = load();
        if (rounds == 0) { // only the interleaved per-unit backward
            backwardInterleaved(step, Math.max(9, 3 * reps));
            System.out.printf(Locale.ROOT, "load average %.2f → %.2f%n", load0, load());
            return;
        }
        long cpu0 = StepTiming.processCpuNanos(), t0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < 2; m++) {
                Autograd.setOverwriteGradients(modes[m]);
                step.train(); // one untimed step after the switch
                double[] w = new double[steps], c = new double[steps];
                for (int s = 0; s < steps; s++) {
                    long c0 = StepTiming.processCpuNanos(), w0 = System.nanoTime();
                    step.train();
                    w[s] = (System.nanoTime() - w0) / 1e6;
                    c[s] = (StepTiming.processCpuNanos() - c0) / 1e6;
                }
                wall.set(m, concat(wall.get(m), w));
                cpu.set(m, concat(cpu.get(m), c));
                if (reps > 0) rows.get(m).addAll(LayerBreakdown.measure(step, reps));
                System.out.printf(Locale.ROOT, "round %d overwrite=%s: step median %.1f ms wall, %.1f ms CPU%n", r, modes[m],
                        Stats.median(w), Stats.median(c));
            }
        }
        Autograd.setOverwriteGradients(true);
        double share = (StepTiming.processCpuNanos() - cpu0) / ((System.nanoTime() - t0) * (double) Parallel.threads());
        System.out.printf(Locale.ROOT, "%n%s res %d, %d threads; CPU share of the run %.0f%%, load average %.2f → %.2f%n",
                kind.id, res, Parallel.threads(), 100 * share, load0, load());
        System.out.printf(Locale.ROOT, "whole step (median of %d): overwrite %.1f ms vs add %.1f ms wall (%.3f×), CPU %.1f vs %.1f ms (%.3f×)%n",
                wall.get(0).length, Stats.median(wall.get(0)), Stats.median(wall.get(1)), Stats.median(wall.get(0)) / Stats.median(wall.get(1)),
                Stats.median(cpu.get(0)), Stats.median(cpu.get(1)), Stats.median(cpu.get(0)) / Stats.median(cpu.get(1)));
        if (reps == 0) return;
        backwardInterleaved(step, Math.max(9, 3 * reps));
        int units = rows.get(0).size() / rounds;
        System.out.printf(Locale.ROOT, "%-3s %-30s %-17s %22s %22s %8s%n", "#", "unit", "output", "overwrite fwd/bwd ms",
                "add fwd/bwd ms", "bwd new/old");
        for (int u = 0; u < units; u++) {
            double[][] f = new double[2][rounds], b = new double[2][rounds];
            for (int m = 0; m < 2; m++) {
                for (int r = 0; r < rounds; r++) {
                    LayerBreakdown.Row row = rows.get(m).get(r * units + u);
                    f[m][r] = row.forwardMs();
                    b[m][r] = row.backwardMs();
                }
            }
            LayerBreakdown.Row row = rows.get(0).get(u);
            System.out.printf(Locale.ROOT, "%-3d %-30s %-17s %10.2f / %9.2f %10.2f / %9.2f %8.3f%n", u, clip(row.label()),
                    Arrays.toString(row.outShape()).replace(" ", ""), Stats.median(f[0]), Stats.median(b[0]), Stats.median(f[1]), Stats.median(b[1]),
                    Stats.median(b[0]) / Stats.median(b[1]));
        }
    }

    /**
     * Each unit's backward alone, overwrite on and off alternating rep by rep (the finest
     * interleaving: both settings see the same load), min and median. The unit's input is a
     * 'write' leaf, as in the breakdown, and its head gradient a fixed random tensor (seeding it is
     * part of the backward: a copy with overwriting, a zeroed buffer plus an add without).
     */
    private static void backwardInterleaved(TrainingStep step, int reps) {
        System.out.printf(Locale.ROOT, "%nbackward alone, overwrite on/off alternating, %d reps each: min | median ms%n", reps);
        System.out.printf(Locale.ROOT, "%-3s %-30s %-17s %19s %19s %9s%n", "#", "unit", "output", "overwrite", "add", "min ratio");
        Tensor x = step.input();
        Rng rng = new Rng(7);
        for (LayerBreakdown.Unit unit : LayerBreakdown.units(step.net())) {
            Block u = unit.block();
            Tensor in = x;
            Tensor leaf = in == step.input() ? in.detach() : in.detach().attachGrad();
            Tensor out = Autograd.record(() -> u.forward(leaf));
            Tensor head = LayerBreakdown.random(rng, out.shape());
            double[][] ms = new double[2][reps];
            for (int r = -2; r < reps; r++) {
                for (int m = 0; m < 2; m++) {
                    Autograd.setOverwriteGradients(m == 0);
                    Tensor y = Autograd.record(() -> u.forward(leaf));
                    long t0 = System.nanoTime();
                    if (y.requiresGrad()) y.backward(head);
                    long t1 = System.nanoTime();
                    if (y.storage() != null && y.storage() != leaf.storage()) Recycling.dispose(y);
                    if (r >= 0) ms[m][r] = (t1 - t0) / 1e6;
                }
            }
            Autograd.setOverwriteGradients(true);
            Arrays.sort(ms[0]);
            Arrays.sort(ms[1]);
            System.out.printf(Locale.ROOT, "%-3d %-30s %-17s %8.2f | %8.2f %8.2f | %8.2f %9.3f%n", unit.index(), clip(unit.label()),
                    Arrays.toString(out.shape()).replace(" ", ""), ms[0][0], Stats.median(ms[0]), ms[1][0],
                    Stats.median(ms[1]), ms[0][0] / ms[1][0]);
            if (out.storage() != null && out.storage() != leaf.storage()) Recycling.dispose(out);
            x = Autograd.pause(false, () -> u.forward(in)).detach(); // the next unit's input (predict mode: no dropout)
        }
    }

    private static double load() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static String clip(String s) {
        return s.length() <= 30 ? s : s.substring(0, 29) + "…";
    }
}
