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
        List<Task> tasks = new ArrayList<>();
        for (int res : o.resolutions()) for (AlexNets n : o.nets()) tasks.add(new Task("train", n, res));
        for (int res : o.inferResolutions()) for (AlexNets n : o.nets()) tasks.add(new Task("infer", n, res));

        // results[task][side] = images/s per round
        Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
        List<String> sides = new ArrayList<>(List.of(JGLUON));
        for (Peer p : peers) for (String v : p.variants()) sides.add(p.label(v));
        List<String> failed = new ArrayList<>();
        for (int round = 1; round <= o.rounds(); round++) {
            for (Task t : tasks) {
                List<Runnable> runs = new ArrayList<>();
                Map<String, List<Double>> row = results.computeIfAbsent(t.key(), k -> new LinkedHashMap<>());
                runs.add(() -> record(row, JGLUON, t, jgluon(t, o).imagesPerSecond(), null));
                for (Peer p : peers) {
                    for (String v : p.variants()) {
                        String label = p.label(v);
                        runs.add(() -> {
                            if (failed.contains(label)) return;
                            try {
                                List<Measurement> m = PeerProcess.run(label, p.launcher().command(v, t.net(), t.res(), t.mode(), o),
                                        home, o.threads(), 900);
                                record(row, label, t, m.getFirst().imagesPerSecond(), m.getFirst());
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

    private static StepTiming jgluon(Task t, CompareOptions o) {
        TrainingStep step = new TrainingStep(t.net(), t.res(), o.batch(), 42);
        Runnable r = t.mode().equals("train") ? step::train : step::infer;
        // at least one warm-up step: it also finishes the deferred parameter initialisation
        return StepTiming.measure(r, o.batch(), Math.max(1, o.warmup()), o.minSteps(), o.seconds());
    }

    private static void record(Map<String, List<Double>> row, String side, Task t, double imagesPerSecond, Measurement m) {
        row.computeIfAbsent(side, k -> new ArrayList<>()).add(imagesPerSecond);
        System.out.printf(Locale.ROOT, "  %-24s %8.1f images/s%s%n", side, imagesPerSecond,
                m == null ? "" : String.format(Locale.ROOT, " (median step %.3f s, best %.3f s, %d steps)",
                        m.medianStepSeconds(), m.bestStepSeconds(), m.steps()));
    }

    /** One row per task: each side's median images/s over rounds, and jgluon's ratio to each peer's best variant. */
    static String table(Map<String, Map<String, List<Double>>> results, List<String> sides) {
        List<String> peerNames = new ArrayList<>();
        for (String s : sides) {
            String name = s.split(" ")[0];
            if (!name.equals(JGLUON) && !peerNames.contains(name)) peerNames.add(name);
        }
        StringBuilder sb = new StringBuilder("images/s (median over rounds; ratio = jgluon / the peer's best variant)\n");
        sb.append(String.format(Locale.ROOT, "%-24s", "step"));
        for (String s : sides) sb.append(String.format(Locale.ROOT, " %22s", s));
        for (String p : peerNames) sb.append(String.format(Locale.ROOT, " %16s", "jgluon/" + p));
        sb.append('\n');
        for (var e : results.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-24s", e.getKey()));
            Map<String, List<Double>> row = e.getValue();
            for (String s : sides) {
                List<Double> v = row.get(s);
                sb.append(String.format(Locale.ROOT, " %22s", v == null ? "-" : String.format(Locale.ROOT, "%.1f", median(v))));
            }
            Double ours = row.containsKey(JGLUON) ? median(row.get(JGLUON)) : null;
            for (String p : peerNames) {
                double best = Double.NaN;
                for (String s : sides) {
                    if ((s.equals(p) || s.startsWith(p + " ")) && row.containsKey(s)) {
                        double m = median(row.get(s));
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

    static double median(List<Double> xs) {
        double[] v = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
