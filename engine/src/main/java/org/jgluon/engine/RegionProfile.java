package org.jgluon.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Where the threads of parallel regions wait: per call site of {@link Parallel#forRange} /
 * {@link Parallel#forBlocks}, the region's wall time, the time its tasks ran, and how long the
 * first pool worker took to start one. Idle thread time = threads × wall − busy: a region whose
 * tasks are uneven, or whose workers start late, shows it there.
 *
 * <p>Off unless the JVM runs with {@code -Djgluon.parallel.profile=true} (a constant C2 folds
 * away otherwise); {@code ./jgluon bench regions} prints it for a training step. Recording walks
 * the stack once per region, which a step of a hundred regions does not notice.
 */
public final class RegionProfile {

    /** True when regions are being recorded ({@code -Djgluon.parallel.profile=true}). */
    public static final boolean ENABLED = Boolean.getBoolean("jgluon.parallel.profile");

    /** The sums over the regions of one call site. */
    public record Site(String where, long regions, double wallMs, double busyMs, double idleMs, double workerStartMs) {}

    private static final Map<String, double[]> SITES = new ConcurrentHashMap<>();
    private static final StackWalker WALKER = StackWalker.getInstance();

    private RegionProfile() {}

    /** Forgets everything recorded so far. */
    public static void reset() {
        SITES.clear();
    }

    /** The call sites recorded since the last {@link #reset()}, most idle thread time first. */
    public static List<Site> sites() {
        List<Site> out = new ArrayList<>();
        SITES.forEach((where, s) -> {
            synchronized (s) {
                out.add(new Site(where, (long) s[0], s[1], s[2], s[3], s[4]));
            }
        });
        out.sort(Comparator.comparingDouble(Site::idleMs).reversed());
        return out;
    }

    /**
     * Records one region run by {@code threads} threads: {@code wallNanos} from publishing it to
     * its last task's end, {@code busyNanos} summed over its tasks, {@code workerStartNanos} from
     * publishing to the first task a pool worker started (the whole wall when none did).
     */
    static void record(int threads, long wallNanos, long busyNanos, long workerStartNanos) {
        double[] s = SITES.computeIfAbsent(callSite(), k -> new double[5]);
        synchronized (s) {
            s[0]++;
            s[1] += wallNanos / 1e6;
            s[2] += busyNanos / 1e6;
            s[3] += (threads * wallNanos - busyNanos) / 1e6;
            s[4] += workerStartNanos / 1e6;
        }
    }

    /** The first three frames outside the engine's threading code: "Class.method:line < …". */
    private static String callSite() {
        return WALKER.walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith(Parallel.class.getName())
                        && !f.getClassName().startsWith(WorkerPool.class.getName())
                        && !f.getClassName().equals(RegionProfile.class.getName()))
                .limit(3)
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName() + ":"
                        + f.getLineNumber())
                .collect(Collectors.joining(" < ")));
    }
}
