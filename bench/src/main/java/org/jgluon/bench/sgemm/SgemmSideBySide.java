package org.jgluon.bench.sgemm;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.Sgemm;

/**
 * {@code ./jgluon bench sgemm}: jgluon's SGEMM against the system OpenBLAS (AVX-512 kernels) in one
 * process, alternating in rounds so that both see the same machine load, on 1 and on 2 threads.
 * Prints GFLOPS, the fraction of the FMA peak and the ratio.
 *
 * <pre>
 *   ./jgluon bench sgemm [--size N | --shape NAME] [--threads 1,2] [--rounds 3] [--seconds 1.0]
 * </pre>
 */
public final class SgemmSideBySide {

    /** AVX-512 FP32 FMA peak of one core of this machine, measured (issue 2). */
    public static final double PEAK_GFLOPS_PER_CORE = 205;

    private SgemmSideBySide() {}

    private interface Gemm {
        void run();
    }

    public static void main(String[] args) throws InterruptedException {
        SgemmShape shape = SgemmShape.of("1024");
        int[] threads = {1, 2};
        int rounds = 3;
        double seconds = 1.0;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--size" -> { int s = Integer.parseInt(need(v, "--size")); shape = new SgemmShape(s + "", false, false, s, s, s); i++; }
                case "--shape" -> { shape = SgemmShape.of(need(v, "--shape")); i++; }
                case "--threads" -> { threads = Arrays.stream(need(v, "--threads").split(",")).mapToInt(Integer::parseInt).toArray(); i++; }
                case "--rounds" -> { rounds = Integer.parseInt(need(v, "--rounds")); i++; }
                case "--seconds" -> { seconds = Double.parseDouble(need(v, "--seconds")); i++; }
                default -> throw new IllegalArgumentException("bench sgemm: unknown option '" + args[i]
                        + "'; options: --size N, --shape NAME (" + SgemmShape.ALL.keySet() + "), --threads 1,2, --rounds R, --seconds S");
            }
        }
        run(shape, threads, rounds, seconds);
    }

    private static String need(String v, String option) {
        if (v == null) throw new IllegalArgumentException("bench sgemm: " + option + " needs a value");
        return v;
    }

    static void run(SgemmShape s, int[] threadCounts, int rounds, double seconds) throws InterruptedException {
        Optional<OpenBlas> blas = OpenBlas.load();
        float[][] ops = s.operands();
        float[] a = ops[0], b = ops[1], c = ops[2];
        Gemm ours = () -> Sgemm.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, s.lda(), b, 0, s.ldb(), 0f, c, 0, s.n());
        Gemm peer = blas.<Gemm>map(o -> () -> o.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, s.lda(), b, 0, s.ldb(), 0f, c, 0, s.n()))
                .orElse(null);
        System.out.println("SGEMM " + s + ", row-major float32; FMA peak " + (int) PEAK_GFLOPS_PER_CORE + " GFLOPS per core");
        System.out.println("jgluon: Vector API " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit");
        System.out.println(blas.map(o -> "OpenBLAS: " + o.path() + ", kernels " + o.coreName()
                        + (Boolean.getBoolean("jgluon.openblas.keepEnv") ? " (environment kept)" : " (OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE cleared)"))
                .orElse("OpenBLAS: skipped (" + OpenBlas.absentReason() + ")"));
        System.out.printf("%d rounds of %.1f s per side, alternating%n", rounds, seconds);

        // Warm-up: the first calls run the Vector API interpreted; wait until C2 has compiled it
        // (the rate stops climbing), which takes seconds on a busy machine.
        Parallel.setThreads(threadCounts[0]);
        warmUp(ours, s);
        if (peer != null) measure(peer, s, 0.5);

        System.out.println("""
                GFLOPS, median over rounds: wall-clock rate, and the "CPU-time" rate (GFLOP per
                second of the process's CPU time, less the JIT's, times the thread count). On a
                machine shared with other work the wall-clock rate falls with the load; the
                CPU-time rate estimates the unloaded one (caches and memory bandwidth are still
                shared).
                """);
        System.out.printf("%-8s %-21s %-21s %-8s %-16s %-16s %s%n", "threads", "jgluon (peak)", "OpenBLAS (peak)",
                "ratio", "jgluon CPU-time", "OpenBLAS CPU-time", "ratio");
        Rate[] oursMedian = new Rate[threadCounts.length], peerMedian = new Rate[threadCounts.length];
        for (int ti = 0; ti < threadCounts.length; ti++) {
            int t = threadCounts[ti];
            Parallel.setThreads(t);
            blas.ifPresent(o -> o.setThreads(t));
            List<Rate> o = new ArrayList<>(), p = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                o.add(measure(ours, s, seconds));
                // OpenBLAS's idle threads spin for a while after a call; let them settle so they
                // do not steal cycles from the other side.
                if (peer != null) {
                    Thread.sleep(200);
                    p.add(measure(peer, s, seconds));
                    Thread.sleep(200);
                }
            }
            Rate om = Rate.median(o, t), pm = peer == null ? null : Rate.median(p, t);
            oursMedian[ti] = om;
            peerMedian[ti] = pm;
            System.out.printf("%-8d %-21s %-21s %-8s %-16s %-16s %s%n", t, withPeak(om.wall, t),
                    pm == null ? "-" : withPeak(pm.wall, t), pm == null ? "-" : String.format("%.2f", om.wall / pm.wall),
                    withPeak(om.perCore, t), pm == null ? "-" : withPeak(pm.perCore, t),
                    pm == null ? "-" : String.format("%.2f", om.perCore / pm.perCore));
            System.out.println("         rounds (wall): jgluon " + fmt(o) + (peer == null ? "" : ", OpenBLAS " + fmt(p)));
        }
        for (int ti = 1; ti < threadCounts.length; ti++) {
            System.out.printf("%d threads / %d: wall-clock jgluon %.2fx%s; CPU-time jgluon %.2fx%s%n",
                    threadCounts[ti], threadCounts[0], oursMedian[ti].wall / oursMedian[0].wall,
                    peer == null ? "" : String.format(", OpenBLAS %.2fx", peerMedian[ti].wall / peerMedian[0].wall),
                    oursMedian[ti].perCore / oursMedian[0].perCore,
                    peer == null ? "" : String.format(", OpenBLAS %.2fx", peerMedian[ti].perCore / peerMedian[0].perCore));
        }
        System.out.printf("load average at the end: %.1f on %d cores%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * A measured rate: wall-clock GFLOPS, and GFLOPS per second of process CPU time (times the
     * thread count after {@link #median}).
     */
    private record Rate(double wall, double perCore) {

        static Rate median(List<Rate> rs, int threads) {
            double[] w = rs.stream().mapToDouble(Rate::wall).sorted().toArray();
            double[] c = rs.stream().mapToDouble(Rate::perCore).sorted().toArray();
            return new Rate(mid(w), mid(c) * threads);
        }

        private static double mid(double[] v) {
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    /** Runs for at least 3 s and until the JIT is idle and the rate has settled (at most 30 s). */
    private static void warmUp(Gemm g, SgemmShape s) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime(), deadline = start + 30_000_000_000L;
        double previous = 0;
        while (System.nanoTime() < deadline) {
            long jit0 = jit.getTotalCompilationTime();
            double rate = measure(g, s, 0.5).wall;
            boolean jitIdle = jit.getTotalCompilationTime() == jit0;
            if (System.nanoTime() - start > 3_000_000_000L && jitIdle && rate < 1.1 * previous && rate > 0.5 * previous) return;
            previous = rate;
        }
    }

    /** Rates over calls repeated for about {@code seconds}. */
    private static Rate measure(Gemm g, SgemmShape s, double seconds) {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long budget = (long) (seconds * 1e9);
        long jit0 = jit.getTotalCompilationTime();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime(), t;
        int calls = 0;
        do {
            g.run();
            calls++;
            t = System.nanoTime();
        } while (t - t0 < budget);
        // The JIT's compiler threads are part of the process: leave their time out.
        long cpu = os.getProcessCpuTime() - cpu0 - (jit.getTotalCompilationTime() - jit0) * 1_000_000L;
        cpu = Math.max(cpu, 1);
        double gflop = s.gflop() * calls;
        return new Rate(gflop / ((t - t0) / 1e9), gflop / (cpu / 1e9));
    }

    private static String withPeak(double gflops, int threads) {
        return String.format("%.1f (%.0f%%)", gflops, 100 * gflops / (PEAK_GFLOPS_PER_CORE * threads));
    }

    private static String fmt(List<Rate> xs) {
        return xs.stream().map(x -> String.format("%.0f", x.wall)).toList().toString();
    }
}
