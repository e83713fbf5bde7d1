package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The column matrix of a block of images (one group) without writing it: SGEMM packs its B
 * panels straight from the input through two offset tables (implicit im2col).
 *
 * <p>Entry (tap r, column j) of the block's column matrix ({@link Im2col}: images side by side)
 * is {@code src[base + tapOffset[r] + pixelOffset[j]]}: r = (channel, ki, kj) gives the tap's
 * place in an image, j = (image, oy, ox) the output pixel's window corner. With padding the
 * images are first copied into zero-bordered planes (so a tap in the padding reads 0); otherwise
 * {@code src} is x itself. Where a table has runs of consecutive offsets (output rows at stride
 * 1, rows of kernel taps) SGEMM packs with plain loads instead of gathers ({@link Sgemm#gathered}). The forward pass multiplies by the matrix ({@link #columns}), the
 * weight gradient by its transpose ({@link #columnsTransposed}: the same tables, swapped), and
 * neither pays for writing and re-reading K × B·P floats (6.5 MB per conv2 image at 224) nor for
 * packing a transposed B with scalar stores.
 *
 * <p>One instance per thread, reused: {@link #of} refills it for the calling thread.
 */
final class Im2colPanels {

    /** Input rows shorter than this are copied by a plain loop. */
    private static final int SHORT_ROW = 16;
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();
    /** Floats past the padded planes that {@link #columnsTransposedWide} may read. */
    private static final int SLACK = 2 * GatheredPanels.vectorLength();

    private static final ThreadLocal<Im2colPanels> MINE = ThreadLocal.withInitial(() -> new Im2colPanels(false));
    private static final ThreadLocal<Im2colPanels> MINE_PHASED = ThreadLocal.withInitial(() -> new Im2colPanels(true));

    /** Whether the source is split into stride phases ({@link #forColumns}). */
    private final boolean phased;

    private float[] padded = new float[0];
    private int[] tapOffset = new int[0];
    private int[] pixelOffset = new int[0];
    /** {@link GatheredPanels#findRuns} of the two tables. */
    private int[] tapRuns = new int[0];
    private int[] pixelRuns = new int[0];
    /** tapOffset widened to {@link #wideTaps} columns by taps past the kernel's last one, and its runs. */
    private int[] wideTapOffset = new int[0];
    private int[] wideTapRuns = new int[0];
    /** What the tables and the padded planes' zero borders were made for (null: nothing yet). */
    private Conv2dGeometry madeFor;
    private int madeForImages;

    private float[] src;
    private int base;
    private int[] strideMap = new int[0];

    /**
     * The three B operands, made once per thread's view and reading its current fields when SGEMM
     * packs: a closure per product (two per image block) was 8 kB of a step's allocation at 96.
     */
    private final Sgemm.BPanels columns = (pb, pc, kc, jc, nc) ->
            GatheredPanels.pack(src, base, tapOffset, pixelOffset, pixelRuns, pb, pc, kc, jc, nc);
    private final Sgemm.BPanels columnsTransposed = (pb, pc, kc, jc, nc) ->
            GatheredPanels.pack(src, base, pixelOffset, tapOffset, tapRuns, pb, pc, kc, jc, nc);
    private final Sgemm.BPanels columnsTransposedWide = (pb, pc, kc, jc, nc) ->
            GatheredPanels.pack(src, base, pixelOffset, wideTapOffset, wideTapRuns, pb, pc, kc, jc, nc);

    private Im2colPanels(boolean phased) {
        this.phased = phased;
    }

    /** The calling thread's view of images [i0, i1) of group {@code gr} of x (n, c, h, w) at {@code xOff}. */
    static Im2colPanels of(Conv2dGeometry g, float[] x, int xOff, int i0, int i1, int gr) {
        Im2colPanels t = MINE.get();
        t.fill(g, x, xOff, i0, i1, gr);
        return t;
    }

    /**
     * {@link #of} for {@link #columns} (the forward's B): with a horizontal stride s > 1 the source
     * is the images split into s_h × s_w stride phases, plane (a, b) holding the padded input's
     * rows a, a + s_h, ... and columns b, b + s_w, ... (space-to-depth). Tap (ki, kj) of output
     * pixel (oy, ox) is then element (oy + ki·dil_h / s_h, ox + kj·dil_w / s_w) of plane
     * (ki·dil_h mod s_h, kj·dil_w mod s_w): neighbouring output pixels are neighbouring floats, so
     * SGEMM packs an output row with plain loads instead of a gather per 16 pixels (conv1, stride
     * 4: the gathers were 31 % of its forward). The weight gradient keeps {@link #of}: there the
     * vectors run along the taps, which the phases would scatter.
     */
    static Im2colPanels forColumns(Conv2dGeometry g, float[] x, int xOff, int i0, int i1, int gr) {
        Im2colPanels t = g.strideW() > 1 ? MINE_PHASED.get() : MINE.get();
        t.fill(g, x, xOff, i0, i1, gr);
        return t;
    }

    /** op(B) = the column matrix, K × nb·P (of this thread's current images: made once, reads the fields). */
    Sgemm.BPanels columns() {
        return columns;
    }

    /** op(B) = the column matrix transposed, nb·P × K. */
    Sgemm.BPanels columnsTransposed() {
        return columnsTransposed;
    }

    /**
     * The width of the transposed column matrix as the weight-gradient GEMM takes it: K rounded up
     * to SGEMM's panel of two vectors when the last panel would hold more than one vector of taps
     * anyway (then its tile computes the whole panel, and the extra columns cost nothing there),
     * else K. conv1's K = 121 becomes 128: its last panel (taps 96..120) was gathered with a mask,
     * half of the packing time; widened it is two runs of plain loads like the others.
     */
    static int wideTaps(Conv2dGeometry g) {
        int k = g.colRows(), vl = GatheredPanels.vectorLength(), rest = k % (2 * vl);
        return rest > vl ? k + 2 * vl - rest : k;
    }

    /**
     * op(B) = the column matrix transposed and widened to {@link #wideTaps} columns (nb·P × wide):
     * columns past K read the floats just after each window's last tap, so their products are
     * garbage that the caller drops (only {@link #wideFits}: the reads stay inside the source).
     * Columns below K get exactly the bits of {@link #columnsTransposed}.
     */
    Sgemm.BPanels columnsTransposedWide() {
        return columnsTransposedWide;
    }

    /** True when {@link #columnsTransposedWide} reads inside the source (not so for the last images of an x without slack). */
    boolean wideFits() {
        return (long) base + pixelOffset[madeForImages * madeFor.outPixels() - 1]
                + wideTapOffset[wideTaps(madeFor) - 1] < src.length;
    }

    private void fill(Conv2dGeometry g, float[] x, int xOff, int i0, int i1, int gr) {
        int nb = i1 - i0;
        boolean copy = phased || g.padH() > 0 || g.padW() > 0;
        int hp = g.h() + 2 * g.padH(), wp = g.w() + 2 * g.padW();
        // phases per axis (1: not split) and the extent of one phase plane
        int sh = phased ? g.strideH() : 1, sw = phased ? g.strideW() : 1;
        int ph = (hp + sh - 1) / sh, pw = (wp + sw - 1) / sw;
        // strides of the source: the padded (phased) copy (cg channels per image) or x itself (c channels)
        int rowStride = pw, phaseStride = ph * pw, planeStride = sh * sw * phaseStride;
        int imageStride = (copy ? g.cg() : g.c()) * planeStride;
        boolean fresh = !g.equals(madeFor) || nb != madeForImages;
        if (fresh) {
            makeTables(g, nb, sh, sw, rowStride, phaseStride, planeStride, imageStride);
            // runs of consecutive offsets: an output row at stride 1, a row of kernel taps
            int vl = GatheredPanels.vectorLength(), pixels = nb * g.outPixels(), k = g.colRows();
            if (pixelRuns.length < (pixels + vl - 1) / vl) pixelRuns = new int[(pixels + vl - 1) / vl];
            if (tapRuns.length < (k + vl - 1) / vl) tapRuns = new int[(k + vl - 1) / vl];
            GatheredPanels.findRuns(pixelOffset, pixels, pixelRuns);
            GatheredPanels.findRuns(tapOffset, k, tapRuns);
            int wide = wideTaps(g);
            if (wideTapOffset.length < tapOffset.length) wideTapOffset = new int[tapOffset.length];
            if (wideTapRuns.length < (wide + vl - 1) / vl) wideTapRuns = new int[(wide + vl - 1) / vl];
            System.arraycopy(tapOffset, 0, wideTapOffset, 0, k);
            for (int r = k; r < wideTapOffset.length; r++) wideTapOffset[r] = tapOffset[k - 1] + r - k + 1;
            GatheredPanels.findRuns(wideTapOffset, wide, wideTapRuns);
            madeFor = g;
            madeForImages = nb;
        }
        if (!copy) {
            src = x;
            base = xOff + (i0 * g.c() + gr * g.cg()) * g.inPixels();
            return;
        }
        int size = nb * imageStride;
        if (padded.length < size + SLACK) padded = new float[size + SLACK];
        else if (fresh) Arrays.fill(padded, 0, size, 0f); // the borders; the interior is overwritten below
        for (int i = 0; i < nb; i++) {
            for (int c = 0; c < g.cg(); c++) {
                int from = xOff + ((i0 + i) * g.c() + gr * g.cg() + c) * g.inPixels();
                if (phased) {
                    copyPhases(g, x, from, padded, i * imageStride + c * planeStride, sh, sw, rowStride, phaseStride);
                    continue;
                }
                int to = i * imageStride + c * planeStride + g.padH() * wp + g.padW();
                if (g.w() >= SHORT_ROW) {
                    for (int iy = 0; iy < g.h(); iy++, from += g.w(), to += wp) System.arraycopy(x, from, padded, to, g.w());
                } else {
                    // rows of a few floats (AlexNet at 96: 4 and 10): arraycopy's set-up would dominate
                    for (int iy = 0; iy < g.h(); iy++, from += g.w(), to += wp) {
                        for (int ix = 0; ix < g.w(); ix++) padded[to + ix] = x[from + ix];
                    }
                }
            }
        }
        src = padded;
        base = 0;
    }

    /**
     * One input plane (h × w at {@code from}) into its sh × sw phase planes at {@code to}: input
     * (iy, ix), at (y, x) = (iy + padH, ix + padW) in the padded plane, goes to phase
     * (y mod sh, x mod sw), element (y / sh, x / sw). The padding's places keep their zeros.
     */
    private void copyPhases(Conv2dGeometry g, float[] x, int from, float[] dst, int to, int sh, int sw,
                            int rowStride, int phaseStride) {
        int w = g.w(), padW = g.padW();
        int[] every = everySw(sw);
        for (int iy = 0; iy < g.h(); iy++, from += w) {
            int y = iy + g.padH();
            int rowTo = to + (y % sh) * sw * phaseStride + (y / sh) * rowStride;
            for (int b = 0; b < sw; b++) {
                // the input columns of phase b: ix ≡ b − padW (mod sw), each the next float of its phase row;
                // 16 at a time by a gather (a scalar loop took 13 % of conv1's forward)
                int ix = Math.floorMod(b - padW, sw), count = (w - ix + sw - 1) / sw;
                int src = from + ix, d = rowTo + b * phaseStride + (ix + padW) / sw, v = 0;
                for (; v <= count - VL; v += VL) FloatVector.fromArray(SPECIES, x, src + v * sw, every, 0).intoArray(dst, d + v);
                for (; v < count; v++) dst[d + v] = x[src + v * sw];
            }
        }
    }

    /** {0, sw, 2·sw, ...}: the gather map of {@link #copyPhases}. */
    private int[] everySw(int sw) {
        if (strideMap.length != VL || strideMap[1] != sw) {
            strideMap = new int[VL];
            for (int l = 0; l < VL; l++) strideMap[l] = l * sw;
        }
        return strideMap;
    }

    private void makeTables(Conv2dGeometry g, int nb, int sh, int sw, int rowStride, int phaseStride, int planeStride,
                            int imageStride) {
        // padded to whole panels of 2 vectors (offset 0 past the end) so that SGEMM's edge panel gathers too
        int panel = 2 * GatheredPanels.vectorLength();
        int k = g.colRows(), p = g.outPixels(), kPadded = (k + panel - 1) / panel * panel;
        int pPadded = (nb * p + panel - 1) / panel * panel;
        if (tapOffset.length < kPadded) tapOffset = new int[kPadded];
        if (pixelOffset.length < pPadded) pixelOffset = new int[pPadded];
        Arrays.fill(tapOffset, k, tapOffset.length, 0);
        Arrays.fill(pixelOffset, nb * p, pixelOffset.length, 0);
        for (int c = 0, r = 0; c < g.cg(); c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, r++) {
                    int dy = ki * g.dilH(), dx = kj * g.dilW();
                    tapOffset[r] = c * planeStride + ((dy % sh) * sw + dx % sw) * phaseStride + dy / sh * rowStride + dx / sw;
                }
            }
        }
        for (int i = 0, j = 0; i < nb; i++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++, j++) {
                    pixelOffset[j] = i * imageStride + oy * (g.strideH() / sh) * rowStride + ox * (g.strideW() / sw);
                }
            }
        }
    }
}
