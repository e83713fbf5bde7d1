package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.jgluon.engine.Parallel;

/**
 * Single-precision GEMM: {@code C = alpha * op(A) * op(B) + beta * C}, row-major, where
 * {@code op(X)} is X or its transpose. A is M×K after op, B is K×N after op, C is M×N.
 *
 * <p>BLIS-style: for each K slice, B is packed into panels NR = 2 vectors wide and A into
 * MR = 12-row micro-panels (a block of rows at a time); a 12×NR register tile (12 broadcasts of A times
 * two B vectors = 24 accumulators held in locals across the K loop) does the work. Row tails use
 * an 8-row and a 4-row tile (the latter also for the last 1-3 rows), a right-edge panel of at most
 * one vector a half-width tile; column tails are zero-padded in the packed B and masked on the
 * store. The tiles and the write-back of C live in {@link SgemmTiles}.
 * The four transpose cases differ only in the packing.
 *
 * <p>Threads split C into a grid of rectangles (rows × columns, never K), each packing its own
 * panels, so every element of C is computed by the same sequence of operations whatever the
 * thread count: results are bit-identical for 1 and N threads. Called from inside a parallel loop
 * (the conv layer runs one sgemm per block of images) it runs inline in the calling thread.
 *
 * <p>{@link SgemmReference} is the scalar test oracle.
 */
public final class Sgemm {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int VL = SPECIES.length();
    /** Width of a packed B panel and of the register tile: two vectors. */
    static final int NR = 2 * VL;
    /** Rows of the main register tile. */
    static final int MR = 12;
    /**
     * Cache blocking: K is cut into even slices of at most {@code kc}, A is packed {@code mc} rows
     * at a time (a multiple of MR) and B {@code nc} columns at a time (a multiple of NR).
     *
     * <p>Measured here (1 thread, 1024³ and AlexNet shapes): deep slices win. Every slice
     * re-reads and re-writes the C tile, and at kc = 256 that traffic (rows of C a page apart,
     * which Java cannot prefetch) cost about 15 % at 1024³; kc = 1024 (a B panel of 128 KiB
     * streaming from L2, an A block of 96 × 1024 in L2) is as fast elsewhere.
     */
    record Blocking(int kc, int mc, int nc) {}

    static final Blocking BLOCKING = new Blocking(1024, 96, 32 * NR);
    static final int NC = BLOCKING.nc();
    /** Values of K per strip when packing transposes: strided writes over 64 cache lines at most. */
    private static final int TRANSPOSE_STRIP = 64;
    /** Rows of B copied across all panels before the next rows, when packing a B that is not transposed. */
    private static final int B_ROW_STRIP = 16;
    /**
     * Up to this many floats of packed B (kc × nc) the tiles that read C (beta ≠ 0, or a later K
     * slice) or write it transposed run row tile by row tile, each over all panels: C is then
     * read and written along its rows, streams the prefetchers follow (a dense layer's weight
     * gradient dW += dyᵀ·x at K = 128 spent 23 % of its time in the C update, rows 16 KiB apart),
     * and an A micro-panel stays in L1. Otherwise panel by panel (a B panel stays in L1): the
     * convolutions' forward (beta = 0, K = 121 for conv1) was 2-4 % slower row by row.
     */
    static final int ROWS_OUTER_MAX_B = 128 * 1024;

    /**
     * Up to this many columns (per thread) a row-major A is read in place instead of packed: each
     * of its values then serves only a few panels of B, too few to repay the transposing copy.
     */
    static final int DIRECT_A_MAX_COLUMNS = 256;

    /**
     * Up to this many floats of packed A (a thread's rows × one K slice) A is packed once per K
     * slice and shared by all column blocks ({@code runFewRows}); 128 rows × 1024 = 512 KiB.
     */
    static final int SHARED_A_MAX = 128 * 1024;

    /** Below this m·n·k the work is not worth handing to other threads. */
    private static final long PARALLEL_MIN_MNK = 1L << 21;

    /**
     * Up to this m·n·k a plain loop beats packing (and in a cold JVM it avoids the interpreted
     * Vector API, which is hundreds of times slower than interpreted scalar code).
     */
    private static final long SMALL_MNK = 16 * 16 * 16;

    /** Per-thread packing buffers, grown as needed and reused across calls. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] acc = new float[MR * NR];
        /** The problem this thread's calls describe themselves in (see {@link #problem()}). */
        final Problem problem = new Problem();
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Sgemm() {}

    /**
     * The calling thread's reusable problem: no object per call (the Winograd passes make
     * thousands of small products a step; a record per call was half of the training step's
     * allocation). A fresh one when this thread's is in use: a product started from inside
     * another one on the same thread (e.g. by a {@link BPanels} packing).
     */
    private static Problem problem() {
        Problem p = BUFFERS.get().problem;
        return p.busy ? new Problem() : p;
    }

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        sgemm(BLOCKING, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * {@link #sgemm} into a C stored transposed: C (m × n) = alpha · op(A) · op(B) + beta · C with
     * element (i, j) of C at {@code c[cOff + j·ldc + i]} (ldc ≥ m). The same bits as the plain
     * layout. For y = x·Wᵀ with few rows in x (a dense layer at batch 128): yᵀ = W·xᵀ has W as
     * the A operand, read in place (a 4096 × 4096 W is never transposed into B panels), and the
     * tiles write y directly.
     */
    public static void sgemmTransposedC(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                        float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0 || !fits(a, aOff, lda, transA ? k : m, transA ? m : k)
                || !fits(b, bOff, ldb, transB ? n : k, transB ? k : n) || !fits(c, cOff, ldc, n, m)) {
            String dims = "m=" + m + ", n=" + n + ", k=" + k + ", transA=" + transA + ", transB=" + transB + ", C stored transposed";
            if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("sgemm: negative dimension (" + dims + ")");
            checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k, dims);
            checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n, dims);
            checkMatrix("C", c, cOff, ldc, n, m, dims);
        }
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scaleC(n, m, beta, c, cOff, ldc);
            return;
        }
        if ((long) m * n * k <= SMALL_MNK) { // Cᵀ = op(B)ᵀ·op(A)ᵀ: the same FMA chain per element
            small(!transB, !transA, n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
            return;
        }
        run(problem().set(BLOCKING, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, null, null,
                true));
    }

    /**
     * Packs {@code op(B)[pc:pc+kc, jc:jc+nc]} into panels of NR columns: panel q starts at
     * {@code q·kc·NR} of {@code pb} and holds, for each p, NR consecutive values (zero beyond
     * column nc). For a B that is not stored as a matrix (a convolution's column matrix, read
     * straight from the image). Called from SGEMM's threads at once: it may only read shared state.
     */
    @FunctionalInterface
    public interface BPanels {
        void pack(float[] pb, int pc, int kc, int jc, int nc);
    }

    /**
     * op(A) (m × k) packed once, in the layout the register tiles read, for products that reuse
     * it (a convolution's weights across its blocks of images): made by {@link #pack}.
     */
    public record PackedA(float[] data, int offset, int m, int k) {}

    /** Floats {@link #pack} writes for an m × k op(A). */
    public static int packedSize(int m, int k) {
        return m * k;
    }

    /**
     * Packs op(A) (m × k; stored k × m when {@code transA}) into {@code into} from {@code intoOff}
     * ({@link #packedSize} floats): for each K slice of the default blocking (slice at pc of depth
     * kc starts at {@code pc·m}) the micro-panels of 12, then 4, then the last 1-3 rows, row i's panel at
     * {@code pc·m + i·kc}. Row blocks and thread splits start at multiples of 12, so every block
     * finds its panels there.
     */
    public static PackedA pack(boolean transA, int m, int k, float[] a, int aOff, int lda, float[] into, int intoOff) {
        if (!fits(a, aOff, lda, transA ? k : m, transA ? m : k)) {
            checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k, "pack: m=" + m + ", k=" + k + ", transA=" + transA);
        }
        if (intoOff < 0 || (long) intoOff + (long) m * k > into.length) {
            throw new IllegalArgumentException("sgemm pack: " + m + "×" + k + " needs " + (long) m * k + " floats from "
                    + intoOff + " but the array holds " + into.length);
        }
        Problem p = problem().set(BLOCKING, transA, false, m, 0, k, 1f, a, aOff, lda, null, 0, 0, 0f, null, 0, 0, null, null,
                false);
        try {
            int kSlices = ceilDiv(Math.max(k, 1), BLOCKING.kc());
            for (int slice = 0; slice < kSlices; slice++) {
                int pc = (int) ((long) k * slice / kSlices);
                int kc = (int) ((long) k * (slice + 1) / kSlices) - pc;
                p.packA(into, intoOff + pc * m, 0, m, pc, kc, false);
            }
        } finally {
            p.release();
        }
        return new PackedA(into, intoOff, m, k);
    }

    /** C (m × n) = alpha · A · op(B) + beta · C with A packed by {@link #pack} and B a stored matrix. */
    public static void sgemm(PackedA a, boolean transB, int n, float alpha, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (!fits(b, bOff, ldb, transB ? n : a.k(), transB ? a.k() : n)) {
            checkMatrix("B", b, bOff, ldb, transB ? n : a.k(), transB ? a.k() : n, "m=" + a.m() + ", n=" + n + ", k=" + a.k());
        }
        runPacked(a, transB, b, bOff, ldb, null, n, alpha, beta, c, cOff, ldc);
    }

    /** C (m × n) = alpha · A · op(B) + beta · C with A packed by {@link #pack} and op(B) (k × n) packed by {@code b}. */
    public static void sgemm(PackedA a, BPanels b, int n, float alpha, float beta, float[] c, int cOff, int ldc) {
        runPacked(a, false, null, 0, 0, b, n, alpha, beta, c, cOff, ldc);
    }

    /** A packed A times a stored B (panels null) or B's own packing: no closure per call. */
    private static void runPacked(PackedA a, boolean transB, float[] b, int bOff, int ldb, BPanels panels, int n,
                                  float alpha, float beta, float[] c, int cOff, int ldc) {
        int m = a.m(), k = a.k();
        if (n < 0) throw new IllegalArgumentException("sgemm: negative dimension n=" + n);
        if (!fits(c, cOff, ldc, m, n)) checkMatrix("C", c, cOff, ldc, m, n, "m=" + m + ", n=" + n + ", k=" + k);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        run(problem().set(BLOCKING, false, transB, m, n, k, alpha, null, 0, 0, b, bOff, ldb, beta, c, cOff, ldc, a, panels,
                false));
    }

    /** C (m × n) = alpha · op(A) · op(B) + beta · C with A a stored matrix and op(B) (k × n) packed by {@code b}. */
    public static void sgemm(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda, BPanels b,
                             float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0 || !fits(a, aOff, lda, transA ? k : m, transA ? m : k) || !fits(c, cOff, ldc, m, n)) {
            String dims = "m=" + m + ", n=" + n + ", k=" + k + ", transA=" + transA + ", B packed";
            if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("sgemm: negative dimension (" + dims + ")");
            checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k, dims);
            checkMatrix("C", c, cOff, ldc, m, n, dims);
        }
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        run(problem().set(BLOCKING, transA, false, m, n, k, alpha, a, aOff, lda, null, 0, 0, beta, c, cOff, ldc, null, b,
                false));
    }

    /** {@link #sgemm} with explicit cache blocking (for tuning experiments). */
    static void sgemm(Blocking blocking, boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        if ((long) m * n * k <= SMALL_MNK) {
            small(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        run(problem().set(blocking, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, null, null,
                false));
    }

    /** Runs a problem on the thread grid (inline when called from inside a parallel loop), then releases it. */
    private static void run(Problem p) {
        try {
            int m = p.m, n = p.n;
            if (Parallel.inWorker()) { // the grid's rectangles would run one after the other here: the same bits
                p.run(0, m, 0, n);
                return;
            }
            int grid = grid(m, n, p.k, Parallel.threads());
            p.gridRows = grid >>> 16;
            p.gridCols = grid & 0xFFFF;
            if (p.gridRows * p.gridCols == 1) p.run(0, m, 0, n);
            else Parallel.forRange(p.gridRows * p.gridCols, 1, p); // the problem is the loop's body: no closure
        } finally {
            p.release();
        }
    }

    private static int split(int units, int parts, int index) {
        return (int) ((long) units * index / parts);
    }

    /**
     * Chooses how many row blocks × column blocks to split C into for {@code threads} threads:
     * the grid (of at most that many rectangles) that minimises the busiest thread's multiply work
     * plus its packing.
     */
    static int[] threadGrid(int m, int n, int k, int threads) {
        int grid = grid(m, n, k, threads);
        return new int[] {grid >>> 16, grid & 0xFFFF};
    }

    /** {@link #threadGrid} as {@code rows << 16 | columns} (no array per call). */
    private static int grid(int m, int n, int k, int threads) {
        long mnk = (long) m * n * k;
        int t = (int) Math.min(threads, Math.max(1, mnk / (PARALLEL_MIN_MNK / 2)));
        if (mnk < PARALLEL_MIN_MNK) t = 1;
        int mUnits = (m + MR - 1) / MR, nUnits = (n + NR - 1) / NR;
        int bestM = 1, bestN = 1;
        double best = Double.MAX_VALUE;
        // Grids of up to t tasks (a prime t may have no grid that fits; then fewer tasks).
        for (int tm = 1; tm <= Math.min(t, mUnits); tm++) {
            int tn = Math.min(t / tm, nUnits);
            double rows = (double) ((mUnits + tm - 1) / tm) * MR;
            double cols = (double) ((nUnits + tn - 1) / tn) * NR;
            // Multiply work in cycles (2 FMAs of VL lanes per cycle) plus packing. A packed value of
            // B costs more than one of A: a thread's packed B slice (kc × its columns) is large and
            // streams through the caches, its A block is small and reused. Measured at 1024³ on 2
            // threads: splitting columns kept 95 % of the one-thread rate per core, rows 80 %.
            double cost = rows * cols * k / (2.0 * VL) + (rows + 4.0 * cols) * k;
            if (cost < best) {
                best = cost;
                bestM = tm;
                bestN = tn;
            }
        }
        return bestM << 16 | bestN;
    }

    /**
     * One call's arguments, shared by the threads working on it (they only read it). Mutable and
     * reused: each thread has one ({@link #problem()}), set at the start of a call and released
     * at its end. {@code packedA} (A packed beforehand) and {@code bPanels} (B's own packing),
     * when not null, replace a / b. It is also the body of the thread grid's parallel loop
     * ({@link #run(int, int)}: cells of a {@code gridRows × gridCols} grid).
     */
    private static final class Problem implements Parallel.RangeBody {
        Blocking blocking;
        boolean transA, transB, transC;
        int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        float alpha, beta;
        float[] a, b, c;
        PackedA packedA;
        BPanels bPanels;
        int gridRows, gridCols;
        /** Between {@link #set} and {@link #release}: a product on this thread started inside another takes a fresh one. */
        boolean busy;

        Problem set(Blocking blocking, boolean transA, boolean transB, int m, int n, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc, PackedA packedA, BPanels bPanels, boolean transC) {
            this.blocking = blocking;
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.beta = beta;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.packedA = packedA;
            this.bPanels = bPanels;
            this.transC = transC;
            this.busy = true;
            return this;
        }

        /** Ends the call: drops the references (a thread must not keep a caller's arrays alive). */
        void release() {
            a = b = c = null;
            packedA = null;
            bPanels = null;
            busy = false;
        }

        /** Cells {@code [lo, hi)} of the thread grid, row-major: each a rectangle of C, in the calling thread. */
        @Override
        public void run(int lo, int hi) {
            int mUnits = (m + MR - 1) / MR, nUnits = (n + NR - 1) / NR;
            for (int t = lo; t < hi; t++) {
                int ti = t / gridCols, tj = t % gridCols;
                int i0 = Math.min(m, split(mUnits, gridRows, ti) * MR), i1 = Math.min(m, split(mUnits, gridRows, ti + 1) * MR);
                int j0 = Math.min(n, split(nUnits, gridCols, tj) * NR), j1 = Math.min(n, split(nUnits, gridCols, tj + 1) * NR);
                if (i0 < i1 && j0 < j1) run(i0, i1, j0, j1);
            }
        }

        /** Index in {@code c} of element (i, j) of C (stored transposed when {@code transC}). */
        int cIndex(int i, int j) {
            return transC ? cOff + j * ldc + i : cOff + i * ldc + j;
        }

        /** Computes the rectangle {@code C[i0:i1, j0:j1]} in the calling thread. */
        void run(int i0, int i1, int j0, int j1) {
            // K slices and row blocks of even size (no thin last slice paying a full C update).
            int kSlices = ceilDiv(k, blocking.kc()), kcMax = ceilDiv(k, kSlices);
            int mcMax = Math.min(roundUp(ceilDiv(i1 - i0, ceilDiv(i1 - i0, blocking.mc())), MR), i1 - i0);
            int ncBlock = blocking.nc(), ncMax = Math.min(ncBlock, roundUp(j1 - j0, NR));
            Buffers buf = BUFFERS.get();
            if (buf.b.length < kcMax * ncMax) buf.b = new float[kcMax * ncMax];
            if (packedA == null && buf.a.length < kcMax * mcMax) buf.a = new float[kcMax * mcMax];
            float[] pa = packedA == null ? buf.a : packedA.data(), pb = buf.b, acc = buf.acc;
            // With few columns each value of A is used a few times only: packing it would cost
            // more than it saves, so the 12-row tiles read A where it is.
            boolean direct = packedA == null && !transA && j1 - j0 <= DIRECT_A_MAX_COLUMNS;
            if (packedA == null && !direct && j1 - j0 > ncBlock && (long) (i1 - i0) * kcMax <= SHARED_A_MAX) {
                runFewRows(i0, i1, j0, j1, kSlices, mcMax, buf);
                return;
            }
            for (int jc = j0; jc < j1; jc += ncBlock) {
                int nc = Math.min(ncBlock, j1 - jc);
                for (int slice = 0; slice < kSlices; slice++) {
                    int pc = (int) ((long) k * slice / kSlices);
                    int kc = (int) ((long) k * (slice + 1) / kSlices) - pc;
                    // The first K slice applies beta to C (and must not read C when beta is 0);
                    // later slices add onto it.
                    float cScale = slice == 0 ? beta : 1f;
                    if (bPanels != null) bPanels.pack(pb, pc, kc, jc, nc);
                    else packMatrixB(transB, b, bOff, ldb, pb, pc, kc, jc, nc);
                    for (int ic = i0; ic < i1; ic += mcMax) {
                        int mc = Math.min(mcMax, i1 - ic);
                        int aStart = 0;
                        if (packedA == null) packA(pa, 0, ic, mc, pc, kc, direct);
                        else aStart = packedA.offset() + pc * m + ic * kc; // see pack(): row ic of slice pc
                        macroKernel(pa, aStart, pb, acc, mc, nc, kc, ic, jc, pc, cScale, direct);
                    }
                }
            }
        }

        /**
         * {@link #run} for few rows and many column blocks (dx = dy·W at batch 128: 128 rows,
         * thousands of columns): each K slice of A is packed once for all rows and used by every
         * column block, instead of once per column block. Each element of C still sees the K
         * slices in order, so the bits are those of {@link #run}'s order.
         */
        private void runFewRows(int i0, int i1, int j0, int j1, int kSlices, int mcMax, Buffers buf) {
            int kcMax = ceilDiv(k, kSlices), ncBlock = blocking.nc();
            if (buf.a.length < kcMax * (i1 - i0)) buf.a = new float[kcMax * (i1 - i0)];
            float[] pa = buf.a, pb = buf.b, acc = buf.acc;
            for (int slice = 0; slice < kSlices; slice++) {
                int pc = (int) ((long) k * slice / kSlices);
                int kc = (int) ((long) k * (slice + 1) / kSlices) - pc;
                float cScale = slice == 0 ? beta : 1f;
                for (int ic = i0; ic < i1; ic += mcMax) packA(pa, (ic - i0) * kc, ic, Math.min(mcMax, i1 - ic), pc, kc, false);
                for (int jc = j0; jc < j1; jc += ncBlock) {
                    int nc = Math.min(ncBlock, j1 - jc);
                    if (bPanels != null) bPanels.pack(pb, pc, kc, jc, nc);
                    else packMatrixB(transB, b, bOff, ldb, pb, pc, kc, jc, nc);
                    for (int ic = i0; ic < i1; ic += mcMax) {
                        macroKernel(pa, (ic - i0) * kc, pb, acc, Math.min(mcMax, i1 - ic), nc, kc, ic, jc, pc, cScale, false);
                    }
                }
            }
        }

        /**
         * Packs {@code op(B)[pc:pc+kc, jc:jc+nc]} of a stored B into panels of NR columns: panel q
         * holds, for each p, NR consecutive values (zero beyond column nc).
         */
        static void packMatrixB(boolean transB, float[] b, int bOff, int ldb, float[] pb, int pc, int kc, int jc, int nc) {
            int panels = (nc + NR - 1) / NR;
            if (!transB) {
                // A copy of rows of B, a strip of rows at a time across all panels: panel by panel
                // over all kc rows read 128 bytes from each row, ldb apart, which the hardware
                // prefetchers did not follow (a dense layer's weight, 16 KiB rows: the copy took 20 %
                // of dx = dy·W).
                for (int p0 = 0; p0 < kc; p0 += B_ROW_STRIP) {
                    int p1 = Math.min(kc, p0 + B_ROW_STRIP);
                    for (int q = 0; q < panels; q++) {
                        int cols = Math.min(NR, nc - q * NR);
                        int src = bOff + (pc + p0) * ldb + jc + q * NR, dst = q * kc * NR + p0 * NR;
                        if (cols == NR) {
                            for (int p = p0; p < p1; p++, src += ldb, dst += NR) {
                                FloatVector.fromArray(SPECIES, b, src).intoArray(pb, dst);
                                FloatVector.fromArray(SPECIES, b, src + VL).intoArray(pb, dst + VL);
                            }
                        } else {
                            for (int p = p0; p < p1; p++, src += ldb, dst += NR) {
                                for (int jj = 0; jj < cols; jj++) pb[dst + jj] = b[src + jj];
                                for (int jj = cols; jj < NR; jj++) pb[dst + jj] = 0f;
                            }
                        }
                    }
                }
                return;
            }
            for (int q = 0; q < panels; q++) {
                int j = jc + q * NR;
                int cols = Math.min(NR, nc - q * NR);
                int dst = q * kc * NR;
                // B is stored N×K: a transpose, done in strips of TRANSPOSE_STRIP values of K so
                // that the strided writes stay in L1.
                for (int p0 = 0; p0 < kc; p0 += TRANSPOSE_STRIP) {
                    int p1 = Math.min(kc, p0 + TRANSPOSE_STRIP);
                    for (int jj = 0; jj < cols; jj++) {
                        int src = bOff + (j + jj) * ldb + pc;
                        for (int p = p0, d = dst + p0 * NR + jj; p < p1; p++, d += NR) pb[d] = b[src + p];
                    }
                    for (int jj = cols; jj < NR; jj++) {
                        for (int p = p0, d = dst + p0 * NR + jj; p < p1; p++, d += NR) pb[d] = 0f;
                    }
                }
            }
        }

        /**
         * Packs {@code op(A)[ic:ic+mc, pc:pc+kc]} into micro-panels of MR rows, then 4-row panels
         * and one of the last 1-3 rows: a panel of h rows holds, for each p, h consecutive values.
         */
        void packA(float[] pa, int dst, int ic, int mc, int pc, int kc, boolean direct) {
            int i = 0;
            while (i < mc) {
                int h = panelHeight(mc - i);
                int row = ic + i;
                if (direct && h == MR) {
                    // read in place by tile12Direct
                } else if (!transA) {
                    // A transpose, in strips of K so that the strided writes stay in L1.
                    for (int p0 = 0; p0 < kc; p0 += TRANSPOSE_STRIP) {
                        int p1 = Math.min(kc, p0 + TRANSPOSE_STRIP);
                        for (int ii = 0; ii < h; ii++) {
                            int src = aOff + (row + ii) * lda + pc;
                            for (int p = p0, d = dst + p0 * h + ii; p < p1; p++, d += h) pa[d] = a[src + p];
                        }
                    }
                } else if (h == MR && VL >= MR) {
                    // A is stored K×M: the MR values of one p are contiguous, one masked vector.
                    VectorMask<Float> rows = SPECIES.indexInRange(0, MR);
                    int src = aOff + pc * lda + row;
                    for (int p = 0, d = dst; p < kc; p++, src += lda, d += MR) {
                        FloatVector.fromArray(SPECIES, a, src, rows).intoArray(pa, d, rows);
                    }
                } else {
                    int src = aOff + pc * lda + row;
                    for (int p = 0, d = dst; p < kc; p++, src += lda, d += h) {
                        for (int ii = 0; ii < h; ii++) pa[d + ii] = a[src + ii];
                    }
                }
                dst += h * kc;
                i += h;
            }
        }

        /**
         * Runs the register tiles over one packed A block and the packed B slice: panel by panel
         * (each B panel reused by every row tile while in L1/L2), or for a small B slice row tile
         * by row tile (see {@link #ROWS_OUTER_MAX_B}).
         */
        private void macroKernel(float[] pa, int aStart, float[] pb, float[] acc, int mc, int nc, int kc, int ic, int jc,
                                 int pc, float cScale, boolean direct) {
            int panels = (nc + NR - 1) / NR;
            if ((long) kc * nc <= ROWS_OUTER_MAX_B && (transC || cScale != 0f)) {
                int aIdx = aStart;
                for (int i = 0; i < mc; ) {
                    int h = panelHeight(mc - i);
                    for (int q = 0; q < panels; q++) tile(pa, aIdx, h, pb, q, acc, nc, kc, ic + i, jc, pc, cScale, direct);
                    aIdx += h * kc;
                    i += h;
                }
            } else {
                for (int q = 0; q < panels; q++) {
                    int aIdx = aStart;
                    for (int i = 0; i < mc; ) {
                        int h = panelHeight(mc - i);
                        tile(pa, aIdx, h, pb, q, acc, nc, kc, ic + i, jc, pc, cScale, direct);
                        aIdx += h * kc;
                        i += h;
                    }
                }
            }
        }

        /** One register tile: rows i.. (h of them) of C against panel q of the B slice, then its write-back. */
        private void tile(float[] pa, int aIdx, int h, float[] pb, int q, float[] acc, int nc, int kc, int i, int jc,
                          int pc, float cScale, boolean direct) {
            int cols = Math.min(NR, nc - q * NR);
            int bIdx = q * kc * NR;
            if (h == MR && direct) SgemmTiles.tile12Direct(a, aOff + i * lda + pc, lda, pb, bIdx, kc, acc);
            else if (h == MR && cols <= VL) SgemmTiles.tile12Half(pa, aIdx, pb, bIdx, kc, acc);
            else if (h == MR) SgemmTiles.tile12(pa, aIdx, pb, bIdx, kc, acc);
            else if (h == 8) SgemmTiles.tile8(pa, aIdx, pb, bIdx, kc, acc);
            else SgemmTiles.tile4(pa, aIdx, h, pb, bIdx, kc, acc);
            int ci = cIndex(i, jc + q * NR);
            if (transC) SgemmTiles.updateTransposed(acc, h, c, ci, ldc, cols, alpha, cScale);
            else SgemmTiles.update(acc, h, c, ci, ldc, cols, alpha, cScale);
        }
    }

    /**
     * Height of the next A micro-panel when {@code rows} rows remain: 12, else 8, else 4, else all
     * of them (1-3). The 8-row tile serves M = 128 (10 × 12 + 8: a dense layer's batch), where two
     * 4-row tiles ran at half the 12-row tile's rate per row.
     */
    private static int panelHeight(int rows) {
        return rows >= MR ? MR : rows >= 8 ? 8 : Math.min(rows, 4);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /** The plain path for tiny products: one FMA chain per element of C. */
    private static void small(boolean transA, boolean transB, int m, int n, int k, float alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float beta, float[] c, int cOff, int ldc) {
        int aRow = transA ? 1 : lda, aStep = transA ? lda : 1;
        int bCol = transB ? ldb : 1, bStep = transB ? 1 : ldb;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                int ai = aOff + i * aRow, bi = bOff + j * bCol;
                for (int p = 0; p < k; p++, ai += aStep, bi += bStep) s = Math.fma(a[ai], b[bi], s);
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? alpha * s : Math.fma(beta, c[ci], alpha * s);
            }
        }
    }

    /** C = beta * C (k = 0 or alpha = 0); beta = 0 writes zeros without reading C. */
    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[row + j] = beta == 0f ? 0f : beta * c[row + j];
        }
    }

    private static void checkArgs(boolean transA, boolean transB, int m, int n, int k,
                                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc) {
        // op(A) is m×k, stored k×m when transposed; op(B) is k×n, stored n×k when transposed.
        if (m >= 0 && n >= 0 && k >= 0 && fits(a, aOff, lda, transA ? k : m, transA ? m : k)
                && fits(b, bOff, ldb, transB ? n : k, transB ? k : n) && fits(c, cOff, ldc, m, n)) {
            return; // the message below is built only on failure: SGEMM runs thousands of times a step
        }
        String dims = "m=" + m + ", n=" + n + ", k=" + k + ", transA=" + transA + ", transB=" + transB;
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: negative dimension (" + dims + ")");
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k, dims);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n, dims);
        checkMatrix("C", c, cOff, ldc, m, n, dims);
    }

    /** Whether a stored rows × cols matrix at off with leading dimension ld lies inside x (what {@link #checkMatrix} checks). */
    private static boolean fits(float[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) return true;
        return x != null && ld >= cols && off >= 0 && (long) off + (long) (rows - 1) * ld + cols <= x.length;
    }

    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols, String dims) {
        String ldName = "ld" + name.toLowerCase();
        if (rows == 0 || cols == 0) return;
        if (x == null) throw new IllegalArgumentException("sgemm: " + name + " is null (" + dims + ")");
        if (ld < cols) {
            throw new IllegalArgumentException("sgemm: " + ldName + "=" + ld + " is smaller than the " + cols
                    + " columns of stored " + name + " (" + rows + "×" + cols + "; " + dims + ")");
        }
        long last = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > x.length) {
            throw new IllegalArgumentException("sgemm: " + name + " (" + rows + "×" + cols + ", offset " + off
                    + ", " + ldName + "=" + ld + ") needs " + last + " floats but the array holds " + x.length
                    + " (" + dims + ")");
        }
    }
}
