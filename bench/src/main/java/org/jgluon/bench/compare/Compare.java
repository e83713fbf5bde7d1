package org.jgluon.bench.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgluon.bench.sgemm.SgemmSideBySide;
import org.jgluon.bench.step.AlexNets;
import org.jgluon.bench.step.JitWarmup;
import org.jgluon.bench.step.StepTiming;
import org.jgluon.bench.step.TrainingStep;
import org.jgluon.engine.Parallel;

/**
 * {@code ./jgluon bench compare}: the seed's training step (and the predict-mode forward) in
 * jgluon and in the peer frameworks on the same machine in the same run, back to back and
 * alternating (the order flips every round, so a drift in the machine's load hits both sides),
 * then jgluon's SGEMM side by side with OpenBLAS. Every side times the same way
 * ({@link StepTiming}): warm-up steps, then the median step of at least {@code --min-steps} steps
 * and {@code --seconds}; images/s = batch / median. The table shows the median over rounds.
 * See {@link CompareOptions#USAGE}.
 */
public final class Compare {

    private static final String JGLUON = "jgluon";

    private record Task(String mode, AlexNets net, int res) {
        String key() {
            return mode + " " + net.id + " " + res;
        }
    }

    private Compare() {}

    public static void main(String[] args) throws Exception {
        if (Flags.helpRequested(CompareOptions.USAGE, args)) return;
        CompareOptions o;
        try {
            o = CompareOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        run(o, BenchHome.locate());
    }

    static void run(CompareOptions o, Path home) throws InterruptedException {
        Parallel.setThreads(o.threads());
        System.out.printf(Locale.ROOT, "bench compare: batch %d, %d thread(s) on every side, %d round(s) of >= %.1f s and >= %d steps"
                + " per measurement after %d warm-up step(s)%n", o.batch(), o.threads(), o.rounds(), o.seconds(), o.minSteps(), o.warmup());
        System.out.println("machine: " + MachineInfo.describe());

        List<Peer> peers = choosePeers(o, home);
        System.out.println("jgluon: compiling the step (JIT warm-up on a small batch) ...");
        JitWarmup.run(5);
        List<Task> tasks = new ArrayList<>();
        for (int res : o.resolutions()) for (AlexNets n : o.nets()) tasks.add(new Task("train", n, res));
        for (int res : o.inferResolutions()) for (AlexNets n : o.nets()) tasks.add(new Task("infer", n, res));

        // results[task][side] = one measurement per round
        Map<String, Map<String, List<Measurement>>> results = new LinkedHashMap<>();
        List<String> sides = new ArrayList<>(List.of(JGLUON));
        for (Peer p : peers) for (String v : p.variants()) sides.add(p.label(v));
        List<String> failed = new ArrayList<>();
        for (int round = 1; round <= o.rounds(); round++) {
            for (Task t : tasks) {
                List<Runnable> runs = new ArrayList<>();
                Map<String, List<Measurement>> row = results.computeIfAbsent(t.key(), k -> new LinkedHashMap<>());
                runs.add(() -> record(row, o, jgluon(t, o)));
                for (Peer p : peers) {
                    for (String v : p.variants()) {
                        String label = p.label(v);
                        runs.add(() -> {
                            if (failed.contains(label)) return;
                            try {
                                List<Measurement> m = PeerProcess.run(label, p.launcher().command(v, t.net(), t.res(), t.mode(), o),
                                        home, o.threads(), 900);
                                record(row, o, m.getFirst());
                            } catch (IOException | InterruptedException | IllegalArgumentException e) {
                                System.out.println("  " + label + ": " + e.getMessage() + "\n  (leaving " + label + " out from here on)");
                                failed.add(label);
                            }
                        });
                    }
                }
                if (round % 2 == 0) java.util.Collections.reverse(runs);
                System.out.printf("round %d, %s:%n", round, t.key());
                for (Runnable r : runs) r.run();
            }
        }
        System.out.println();
        System.out.println(table(results, sides));
        System.out.println(cpuTable(results, sides, o.threads()));
        System.out.println(table("images per CPU-second x " + o.threads() + " threads (batch / CPU seconds per step x threads):"
                + " what each side did with the CPU it got; robust to a shared machine, but it counts spin-waiting as work",
                results, sides, m -> m.imagesPerSecond() / m.cpuShare(o.threads())));
        if (o.sgemm()) {
            System.out.println();
            SgemmSideBySide.main(new String[] {"--size", "1024", "--threads", o.threads() == 1 ? "1" : "1," + o.threads(),
                    "--rounds", Integer.toString(Math.max(2, o.rounds())), "--seconds", "1.0"});
        }
    }

    private static List<Peer> choosePeers(CompareOptions o, Path home) {
        List<Peer> chosen = new ArrayList<>();
        List<Peer> candidates = List.of(Peer.pytorch(home, o), Peer.mxnet(home));
        for (Peer p : candidates) {
            boolean asked = o.peers() != null && o.peers().contains(p.name());
            boolean byDefault = o.peers() == null && (p.name().equals("pytorch") || p.absentReason() == null);
            if (!asked && !byDefault) continue;
            if (p.absentReason() != null) {
                System.out.println("skipping peer " + p.name() + ": " + p.absentReason());
            } else {
                chosen.add(p);
                System.out.println("peer " + p.name() + (p.variants().size() > 1 ? " (variants: " + p.variants().stream()
                        .map(v -> v.isEmpty() ? "NCHW" : v).toList() + ", the better one counts)" : ""));
            }
        }
        if (o.peers() == null && chosen.stream().noneMatch(p -> p.name().equals("mxnet"))) {
            System.out.println("(MXNet through DJL is left out unless built: ./build -q -f bench-mxnet/pom.xml package)");
        }
        return chosen;
    }

    private static Measurement jgluon(Task t, CompareOptions o) {
        TrainingStep step = new TrainingStep(t.net(), t.res(), o.batch(), 42);
        Runnable r = t.mode().equals("train") ? step::train : step::infer;
        // at least one warm-up step: it also finishes the deferred parameter initialisation
        StepTiming s = StepTiming.measure(r, o.batch(), Math.max(1, o.warmup()), o.minSteps(), o.seconds());
        return new Measurement(JGLUON, t.net().id, t.res(), t.mode(), s.imagesPerSecond(), s.medianSeconds(), s.bestSeconds(),
                s.steps(), s.meanSeconds(), s.cpuSecondsPerStep());
    }

    private static void record(Map<String, List<Measurement>> row, CompareOptions o, Measurement m) {
        row.computeIfAbsent(m.framework(), k -> new ArrayList<>()).add(m);
        System.out.printf(Locale.ROOT, "  %-24s %8.1f images/s (median step %.3f s, best %.3f s, %d steps; CPU %.0f%% of %d threads; %s)%n",
                m.framework(), m.imagesPerSecond(), m.medianStepSeconds(), m.bestStepSeconds(), m.steps(),
                100 * m.cpuShare(o.threads()), o.threads(), MachineInfo.load());
    }

    /**
     * How much of its threads' cores each side got while timing (median over rounds): on a shared
     * machine, a ratio of images/s is only fair when the sides got similar shares.
     */
    static String cpuTable(Map<String, Map<String, List<Measurement>>> results, List<String> sides, int threads) {
        StringBuilder sb = new StringBuilder("CPU obtained while timing: process CPU time / (wall time x " + threads
                + " threads), median over rounds\n");
        sb.append(String.format(Locale.ROOT, "%-24s", "step"));
        for (String s : sides) sb.append(String.format(Locale.ROOT, " %22s", s));
        sb.append('\n');
        for (var e : results.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-24s", e.getKey()));
            for (String s : sides) {
                List<Measurement> v = e.getValue().get(s);
                double share = v == null ? Double.NaN : median(v.stream().map(m -> m.cpuShare(threads)).toList());
                sb.append(String.format(Locale.ROOT, " %22s", Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * share)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** One row per task: each side's median images/s over rounds, and jgluon's ratio to each peer's best variant. */
    static String table(Map<String, Map<String, List<Measurement>>> results, List<String> sides) {
        return table("images/s (median over rounds; ratio = jgluon / the peer's best variant)", results, sides,
                Measurement::imagesPerSecond);
    }

    static String table(String title, Map<String, Map<String, List<Measurement>>> results, List<String> sides,
                        java.util.function.ToDoubleFunction<Measurement> metric) {
        List<String> peerNames = new ArrayList<>();
        for (String s : sides) {
            String name = s.split(" ")[0];
            if (!name.equals(JGLUON) && !peerNames.contains(name)) peerNames.add(name);
        }
        StringBuilder sb = new StringBuilder(title).append('\n');
        sb.append(String.format(Locale.ROOT, "%-24s", "step"));
        for (String s : sides) sb.append(String.format(Locale.ROOT, " %22s", s));
        for (String p : peerNames) sb.append(String.format(Locale.ROOT, " %16s", "jgluon/" + p));
        sb.append('\n');
        for (var e : results.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-24s", e.getKey()));
            Map<String, List<Measurement>> row = e.getValue();
            for (String s : sides) {
                List<Measurement> v = row.get(s);
                sb.append(String.format(Locale.ROOT, " %22s", v == null ? "-" : String.format(Locale.ROOT, "%.1f", median(v, metric))));
            }
            Double ours = row.containsKey(JGLUON) ? median(row.get(JGLUON), metric) : null;
            for (String p : peerNames) {
                double best = Double.NaN;
                for (String s : sides) {
                    if ((s.equals(p) || s.startsWith(p + " ")) && row.containsKey(s)) {
                        double m = median(row.get(s), metric);
                        best = Double.isNaN(best) ? m : Math.max(best, m);
                    }
                }
                sb.append(String.format(Locale.ROOT, " %16s", ours == null || Double.isNaN(best) ? "-"
                        : String.format(Locale.ROOT, "%.2f", ours / best)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static double median(List<Measurement> ms, java.util.function.ToDoubleFunction<Measurement> metric) {
        return median(ms.stream().map(metric::applyAsDouble).toList());
    }

    static double median(List<Double> xs) {
        return org.jgluon.bench.Stats.median(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
