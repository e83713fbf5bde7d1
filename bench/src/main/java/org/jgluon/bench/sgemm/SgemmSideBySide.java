package org.jgluon.bench.sgemm;

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
        System.out.printf("%d rounds of %.1f s per side, alternating; GFLOPS = median over rounds%n%n", rounds, seconds);

        // Warm-up: the first calls run the Vector API interpreted; give C2 time to compile.
        Parallel.setThreads(threadCounts[0]);
        measure(ours, s, 2.0);
        if (peer != null) measure(peer, s, 0.5);

        System.out.printf("%-8s %-22s %-22s %s%n", "threads", "jgluon GFLOPS (peak)", "OpenBLAS GFLOPS (peak)", "jgluon/OpenBLAS");
        double[] oursMedian = new double[threadCounts.length], peerMedian = new double[threadCounts.length];
        for (int ti = 0; ti < threadCounts.length; ti++) {
            int t = threadCounts[ti];
            Parallel.setThreads(t);
            blas.ifPresent(o -> o.setThreads(t));
            List<Double> o = new ArrayList<>(), p = new ArrayList<>();
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
            oursMedian[ti] = median(o);
            peerMedian[ti] = peer == null ? Double.NaN : median(p);
            System.out.printf("%-8d %-22s %-22s %s   rounds: jgluon %s%s%n", t, withPeak(oursMedian[ti], t),
                    peer == null ? "-" : withPeak(peerMedian[ti], t),
                    peer == null ? "-" : String.format("%.2f", oursMedian[ti] / peerMedian[ti]),
                    fmt(o), peer == null ? "" : ", OpenBLAS " + fmt(p));
        }
        for (int ti = 1; ti < threadCounts.length; ti++) {
            System.out.printf("%d threads / %d: jgluon %.2fx%s%n", threadCounts[ti], threadCounts[0],
                    oursMedian[ti] / oursMedian[0],
                    peer == null ? "" : String.format(", OpenBLAS %.2fx", peerMedian[ti] / peerMedian[0]));
        }
    }

    /** GFLOPS over calls repeated for about {@code seconds}. */
    private static double measure(Gemm g, SgemmShape s, double seconds) {
        long budget = (long) (seconds * 1e9);
        long t0 = System.nanoTime(), t;
        int calls = 0;
        do {
            g.run();
            calls++;
            t = System.nanoTime();
        } while (t - t0 < budget);
        return s.gflop() * calls / ((t - t0) / 1e9);
    }

    private static double median(List<Double> xs) {
        double[] v = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String withPeak(double gflops, int threads) {
        return String.format("%.1f (%.0f%%)", gflops, 100 * gflops / (PEAK_GFLOPS_PER_CORE * threads));
    }

    private static String fmt(List<Double> xs) {
        return xs.stream().map(x -> String.format("%.0f", x)).toList().toString();
    }
}
