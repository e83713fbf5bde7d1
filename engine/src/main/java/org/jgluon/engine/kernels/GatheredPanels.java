package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Sgemm.NR;
import static org.jgluon.engine.kernels.Sgemm.SPECIES;
import static org.jgluon.engine.kernels.Sgemm.VL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * SGEMM B panels gathered through offset tables instead of packed from a stored matrix
 * ({@link Sgemm.BPanels}): the implicit im2col of {@link Im2colPanels}, where the column matrix of
 * a convolution is read straight from the zero-padded images and never written.
 */
public final class GatheredPanels {

    private GatheredPanels() {}

    /**
     * Panels of a B whose element (p, j) is {@code src[base + rowOffset[p] + colOffset[j]]}: a
     * gather per vector. With the offsets of a kernel tap (rows) and of an output pixel (columns)
     * into a zero-padded image this is the column matrix without writing it; swapped, its transpose.
     *
     * <p>{@code runs} (or null) speeds up columns that are mostly consecutive in {@code src}
     * (stride-1 output rows): for the vector of columns starting at {@code j = v·VL} it holds
     * {@code runs[v]} = the number of runs of consecutive offsets in it (−1: more than
     * {@link #MAX_RUNS}, gather). Such a vector is one plain load per run and a blend each
     * instead of a gather (a gather cost ≈ 10 % of conv4 at 224). {@link #findRuns} admits only
     * increasing offsets, so the plain loads stay between a vector's first and last element. A {@code colOffset} padded to a whole panel (its length at
     * least n rounded up to 2·VL; any in-range offsets past n) lets the right-edge panel gather too.
     */
    public static Sgemm.BPanels gathered(float[] src, int base, int[] rowOffset, int[] colOffset, int[] runs) {
        return (pb, pc, kc, jc, nc) -> pack(src, base, rowOffset, colOffset, runs, pb, pc, kc, jc, nc);
    }

    /**
     * {@link #gathered}'s packing of rows [pc, pc + kc) × columns [jc, jc + nc) into pb, for a caller
     * that keeps its own {@link Sgemm.BPanels} (a per-thread one allocates nothing per product).
     */
    static void pack(float[] src, int base, int[] rowOffset, int[] colOffset, int[] runs, float[] pb, int pc, int kc,
                     int jc, int nc) {
        int panels = (nc + NR - 1) / NR;
        for (int q = 0; q < panels; q++) {
            int j = jc + q * NR, cols = Math.min(NR, nc - q * NR);
            int dst = q * kc * NR;
            if (cols < NR && runs != null && edgeRunsFit(src, base, rowOffset, pc, kc, colOffset, runs, j, cols)) {
                // the right edge as runs of plain loads too, lanes past column nc zeroed: the
                // masked gathers below cost as much as 3 full panels (conv2 at 96, 600
                // columns: a third of the packing; conv1's 484 pixels, conv2's 676 at 224)
                runPanel(src, base, rowOffset, pc, kc, colOffset, j, Math.min(cols, VL), Math.max(0, cols - VL), pb, dst);
                continue;
            }
            if (cols < NR && colOffset.length >= j + NR) {
                // the right edge, with a table padded to whole panels: gathers, the lanes past
                // column nc zeroed (conv1's 121 taps: a scalar edge panel cost 25 % of the pass)
                VectorMask<Float> past0 = SPECIES.indexInRange(0, cols).not(), past1 = SPECIES.indexInRange(VL, cols).not();
                for (int p = pc; p < pc + kc; p++, dst += NR) {
                    int at = base + rowOffset[p];
                    FloatVector.fromArray(SPECIES, src, at, colOffset, j).blend(0f, past0).intoArray(pb, dst);
                    FloatVector.fromArray(SPECIES, src, at, colOffset, j + VL).blend(0f, past1).intoArray(pb, dst + VL);
                }
                continue;
            }
            if (cols < NR) {
                // the right edge of an unpadded table: scalar
                for (int p = pc; p < pc + kc; p++, dst += NR) {
                    int at = base + rowOffset[p];
                    for (int jj = 0; jj < cols; jj++) pb[dst + jj] = src[at + colOffset[j + jj]];
                    for (int jj = cols; jj < NR; jj++) pb[dst + jj] = 0f;
                }
                continue;
            }
            if (runs == null || runs[j / VL] < 0 || runs[j / VL + 1] < 0) {
                for (int p = pc; p < pc + kc; p++, dst += NR) {
                    int at = base + rowOffset[p];
                    FloatVector.fromArray(SPECIES, src, at, colOffset, j).intoArray(pb, dst);
                    FloatVector.fromArray(SPECIES, src, at, colOffset, j + VL).intoArray(pb, dst + VL);
                }
                continue;
            }
            runPanel(src, base, rowOffset, pc, kc, colOffset, j, VL, VL, pb, dst);
        }
    }

    /**
     * One panel (columns j .. j + NR) of rows pc .. pc + kc by runs of plain loads: each half is
     * up to MAX_RUNS plain loads, lanes from run s on taken from load s. Only the first
     * {@code lanes0} / {@code lanes1} lanes of the two halves are columns of B (the right edge);
     * the others are stored as 0 (their loads read past the last column, see {@link #edgeRunsFit}).
     */
    private static void runPanel(float[] src, int base, int[] rowOffset, int pc, int kc, int[] colOffset, int j,
                                 int lanes0, int lanes1, float[] pb, int dst) {
        int r0 = runStarts(colOffset, j, lanes0), r1 = lanes1 > 0 ? runStarts(colOffset, j + VL, lanes1) : noRuns();
        int s01 = r0 & 0xff, s02 = r0 >> 8 & 0xff, s03 = r0 >> 16 & 0xff;
        int s11 = r1 & 0xff, s12 = r1 >> 8 & 0xff, s13 = r1 >> 16 & 0xff;
        int a0 = colOffset[j], a1 = runDelta(colOffset, j, s01), a2 = runDelta(colOffset, j, s02),
                a3 = runDelta(colOffset, j, s03);
        int b0 = lanes1 > 0 ? colOffset[j + VL] : 0, b1 = runDelta(colOffset, j + VL, s11),
                b2 = runDelta(colOffset, j + VL, s12), b3 = runDelta(colOffset, j + VL, s13);
        VectorMask<Float> m01 = from(s01), m02 = from(s02), m03 = from(s03);
        VectorMask<Float> m11 = from(s11), m12 = from(s12), m13 = from(s13);
        boolean edge0 = lanes0 < VL, edge1 = lanes1 < VL, second = lanes1 > 0;
        VectorMask<Float> past0 = from(lanes0), past1 = from(lanes1);
        for (int p = pc; p < pc + kc; p++, dst += NR) {
            int at = base + rowOffset[p];
            FloatVector v0 = FloatVector.fromArray(SPECIES, src, at + a0);
            if (s01 < VL) v0 = v0.blend(FloatVector.fromArray(SPECIES, src, at + a1), m01);
            if (s02 < VL) v0 = v0.blend(FloatVector.fromArray(SPECIES, src, at + a2), m02);
            if (s03 < VL) v0 = v0.blend(FloatVector.fromArray(SPECIES, src, at + a3), m03);
            if (edge0) v0 = v0.blend(0f, past0);
            FloatVector v1 = FloatVector.zero(SPECIES);
            if (second) {
                v1 = FloatVector.fromArray(SPECIES, src, at + b0);
                if (s11 < VL) v1 = v1.blend(FloatVector.fromArray(SPECIES, src, at + b1), m11);
                if (s12 < VL) v1 = v1.blend(FloatVector.fromArray(SPECIES, src, at + b2), m12);
                if (s13 < VL) v1 = v1.blend(FloatVector.fromArray(SPECIES, src, at + b3), m13);
                if (edge1) v1 = v1.blend(0f, past1);
            }
            v0.intoArray(pb, dst);
            v1.intoArray(pb, dst + VL);
        }
    }

    /**
     * Whether the right-edge panel at column j (cols &lt; NR columns of B) can be packed by
     * {@link #runPanel}: its vectors are runs ({@code runs} ≥ 0 over their real lanes) and the plain
     * loads, which read up to VL − lanes floats past the last column's element, stay inside
     * {@code src} for every row of the slice (a padded copy has slack there; x itself may end).
     */
    private static boolean edgeRunsFit(float[] src, int base, int[] rowOffset, int pc, int kc, int[] colOffset,
                                       int[] runs, int j, int cols) {
        if (runs[j / VL] < 0 || (cols > VL && runs[j / VL + 1] < 0)) return false;
        int maxRow = 0;
        for (int p = pc; p < pc + kc; p++) maxRow = Math.max(maxRow, rowOffset[p]);
        int last = cols > VL ? cols - VL : cols;
        return (long) base + maxRow + colOffset[j + cols - 1] + VL - last < src.length;
    }

    /** Most runs of consecutive offsets per vector that {@link #gathered} loads plainly (4×4 outputs: 4). */
    private static final int MAX_RUNS = 4;

    /**
     * The lanes where the 2nd, 3rd and 4th run of consecutive offsets in the first {@code lanes}
     * entries of {@code colOffset[j, j + VL)} start, 8 bits each (VL for a run that does not exist).
     */
    private static int runStarts(int[] colOffset, int j, int lanes) {
        int packed = 0, run = 1;
        for (int l = 1; l < lanes && run < MAX_RUNS; l++) {
            if (colOffset[j + l] != colOffset[j + l - 1] + 1) packed |= l << (8 * (run++ - 1));
        }
        for (; run < MAX_RUNS; run++) packed |= VL << (8 * (run - 1));
        return packed;
    }

    /** {@link #runStarts} of a vector with no runs after the first. */
    private static int noRuns() {
        int packed = 0;
        for (int run = 1; run < MAX_RUNS; run++) packed |= VL << (8 * (run - 1));
        return packed;
    }

    /** Where a plain load for the run starting at lane {@code start} begins, relative to the row. */
    private static int runDelta(int[] colOffset, int j, int start) {
        return start < VL ? colOffset[j + start] - start : 0;
    }

    /** The lanes from {@code start} on. */
    private static VectorMask<Float> from(int start) {
        return SPECIES.indexInRange(0, start).not();
    }

    /**
     * The {@code runs} table of {@link #gathered} for the first {@code n} entries of
     * {@code colOffset}, into {@code runs} (at least {@code ceil(n / VL)} ints): per vector the
     * number of runs of consecutive offsets, or −1 when more than {@link #MAX_RUNS} (gathered).
     */
    public static void findRuns(int[] colOffset, int n, int[] runs) {
        for (int v = 0, j = 0; j < n; v++, j += VL) {
            int lanes = Math.min(VL, n - j), count = 1;
            boolean increasing = true;
            for (int l = 1; l < lanes; l++) {
                if (colOffset[j + l] != colOffset[j + l - 1] + 1) count++;
                if (colOffset[j + l] <= colOffset[j + l - 1]) increasing = false;
            }
            // increasing offsets keep every plain load within the vector's first and last element
            runs[v] = increasing && count <= MAX_RUNS ? count : -1;
        }
    }

    /** Floats per vector: the grain of {@link #findRuns}. */
    public static int vectorLength() {
        return VL;
    }
}
