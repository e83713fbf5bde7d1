package org.jgluon.engine.kernels;

import org.jgluon.engine.Parallel;

/**
 * 2-D convolution as im2col + SGEMM, NCHW, with groups. For a block of images and a group g,
 * with {@code cols} the column matrices ({@link Im2col}) of the block's images side by side:
 * <pre>
 *   forward          y_g    = W_g (fg × K) · cols (K × B·P)  (+ bias)      K = cg·kh·kw, P = oh·ow
 *   backward-data    dx_g  += col2im(W_gᵀ (K × fg) · dy_g (fg × B·P))
 *   backward-weights dW_g  += dy_g (fg × B·P) · colsᵀ (B·P × K)            summed over the blocks
 *   backward-bias    db    += Σ_{n, p} dy                                  (in double)
 * </pre>
 * One image per GEMM when its output is large (P ≥ {@link #TARGET_COLUMNS}); for small outputs
 * (AlexNet's 12×12 and 4×4 layers) B images share one GEMM so that its n dimension stays near
 * {@link #TARGET_COLUMNS} and the packed weights are reused across them; their outputs are then
 * scattered back into NCHW (and dy gathered from it).
 *
 * <p>Threads: with at least as many image blocks as threads, each thread takes whole blocks and
 * its SGEMM calls run inline; with fewer (batch 1) the blocks run one after the other and SGEMM
 * splits each product over the threads. Column matrices live in per-thread scratch reused across
 * calls. The backward passes add into their outputs.
 *
 * <p>Determinism: forward and backward-data write disjoint images. The weight gradient sums over
 * images in at most {@link #WEIGHT_BLOCKS} fixed blocks (sizes depend only on the batch), each into
 * its own partial, and adds the partials in block order: the bits do not depend on the thread count.
 */
public final class Conv2dKernels {

    /** The most partial weight gradients one backward-weights call keeps (memory vs parallelism). */
    static final int WEIGHT_BLOCKS = 8;
    /** Images are grouped so that one GEMM has about this many output columns. */
    static final int TARGET_COLUMNS = 512;
    /**
     * The forward pass builds the column matrix at most this many rows at a time (in even
     * slices), each slice multiplied
     * (and accumulated into y) while still in cache: about SGEMM's own depth slice, so SGEMM does
     * the same packing work as on the whole matrix.
     */
    static final int K_SLICE = 256;
    /** Cap on one thread's column buffer (floats), bounding the images per GEMM for large K. */
    static final int MAX_COLS_FLOATS = 1 << 23;

    private Conv2dKernels() {}

    /** Images per GEMM for this geometry: depends on the sizes only, never on the thread count. */
    static int imagesPerGemm(Conv2dGeometry g) {
        int p = g.outPixels();
        int b = (TARGET_COLUMNS + p - 1) / p;
        b = Math.min(b, Math.max(1, MAX_COLS_FLOATS / Math.max(1, g.colRows() * p)));
        return Math.max(1, Math.min(b, g.n()));
    }

    /** y (n, f, oh, ow) = conv(x (n, c, h, w), w (f, cg, kh, kw)) + bias (f) (bias may be null). */
    public static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                               float[] bias, int biasOff, float[] y, int yOff) {
        int k = g.colRows(), p = g.outPixels(), fg = g.fg();
        forEachBlock(g, (i0, i1) -> {
            int nb = i1 - i0, ld = nb * p;
            for (int gr = 0; gr < g.groups(); gr++) {
                int wg = wOff + gr * fg * k;
                float[] c = y;
                int cOff = yOff + (i0 * g.f() + gr * fg) * p;
                if (nb > 1) {
                    c = Scratch.rows(fg * ld);
                    cOff = 0;
                }
                if (nb == 1 && g.colsAreInput()) {
                    Sgemm.sgemm(false, false, fg, p, k, 1f, w, wg, k, x, xOff + (i0 * g.c() + gr * g.cg()) * g.inPixels(), p,
                            0f, c, cOff, p);
                } else {
                    // the column matrix in slices of the GEMM's depth, each multiplied while in cache
                    int slices = (k + K_SLICE - 1) / K_SLICE, slice = (k + slices - 1) / slices; // even slices
                    float[] cols = Scratch.cols(slice * ld);
                    for (int r0 = 0; r0 < k; r0 += slice) {
                        int r1 = Math.min(k, r0 + slice);
                        for (int i = i0; i < i1; i++) {
                            Im2col.im2col(g, x, xOff + (i * g.c() + gr * g.cg()) * g.inPixels(), cols, (i - i0) * p, ld, r0, r1);
                        }
                        Sgemm.sgemm(false, false, fg, ld, r1 - r0, 1f, w, wg + r0, k, cols, 0, ld, r0 == 0 ? 0f : 1f, c, cOff, ld);
                    }
                }
                if (nb > 1) {
                    for (int i = i0; i < i1; i++) {
                        for (int f = 0; f < fg; f++) {
                            System.arraycopy(c, f * ld + (i - i0) * p, y, yOff + (i * g.f() + gr * fg + f) * p, p);
                        }
                    }
                }
            }
            if (bias != null) {
                for (int i = i0; i < i1; i++) {
                    for (int f = 0; f < g.f(); f++) {
                        float bf = bias[biasOff + f];
                        int row = yOff + (i * g.f() + f) * p;
                        for (int j = 0; j < p; j++) y[row + j] += bf;
                    }
                }
            }
        });
    }

    /** dx (n, c, h, w) += the gradient of the convolution's input, given dy (n, f, oh, ow). */
    public static void backwardData(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff,
                                    float[] dx, int dxOff) {
        int k = g.colRows(), p = g.outPixels(), fg = g.fg();
        forEachBlock(g, (i0, i1) -> {
            int nb = i1 - i0, ld = nb * p;
            for (int gr = 0; gr < g.groups(); gr++) {
                int wg = wOff + gr * fg * k;
                int dxg = dxOff + (i0 * g.c() + gr * g.cg()) * g.inPixels();
                float[] d = dy;
                int dOff = dyOff + (i0 * g.f() + gr * fg) * p;
                if (nb > 1) {
                    d = gatherRows(g, dy, dyOff, i0, i1, gr);
                    dOff = 0;
                }
                if (nb == 1 && g.colsAreInput()) {
                    // the column matrix is dx itself: accumulate straight into it
                    Sgemm.sgemm(true, false, k, p, fg, 1f, w, wg, k, d, dOff, p, 1f, dx, dxg, p);
                    continue;
                }
                float[] cols = Scratch.cols(k * ld);
                Sgemm.sgemm(true, false, k, ld, fg, 1f, w, wg, k, d, dOff, ld, 0f, cols, 0, ld);
                for (int i = i0; i < i1; i++) {
                    Im2col.col2im(g, cols, (i - i0) * p, ld, dx, dxOff + (i * g.c() + gr * g.cg()) * g.inPixels());
                }
            }
        });
    }

    /** dw (f, cg, kh, kw) += Σ over images of dy_i · cols_iᵀ, deterministic for any thread count. */
    public static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                       float[] dw, int dwOff) {
        int n = g.n(), wsize = g.f() * g.colRows();
        int blockSize = (n + WEIGHT_BLOCKS - 1) / WEIGHT_BLOCKS;
        int blocks = (n + blockSize - 1) / blockSize;
        int perGemm = imagesPerGemm(g);
        float[] partials = Scratch.partials(blocks * wsize);
        Parallel.RangeBody block = (lo, hi) -> {
            int part = lo / blockSize * wsize;
            for (int i0 = lo; i0 < hi; i0 += perGemm) {
                weightsOfImages(g, x, xOff, dy, dyOff, i0, Math.min(hi, i0 + perGemm), i0 > lo, partials, part);
            }
        };
        if (blocks >= Parallel.threads() && Parallel.threads() > 1) {
            Parallel.forBlocks(n, blockSize, block);
        } else {
            for (int lo = 0; lo < n; lo += blockSize) block.run(lo, Math.min(n, lo + blockSize));
        }
        // add the partials in block order, split over the (independent) weight elements
        Parallel.forRange(wsize, 1 << 14, (lo, hi) -> {
            for (int j = lo; j < hi; j++) {
                float s = partials[j];
                for (int b = 1; b < blocks; b++) s += partials[b * wsize + j];
                dw[dwOff + j] += s;
            }
        });
    }

    /** part (f × K, all groups) = (accumulate ? part : 0) + Σ_{i0 ≤ i < i1} dy_i · cols_iᵀ, as one GEMM. */
    private static void weightsOfImages(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, int i0, int i1,
                                        boolean accumulate, float[] part, int partOff) {
        int k = g.colRows(), p = g.outPixels(), fg = g.fg(), nb = i1 - i0, ld = nb * p;
        for (int gr = 0; gr < g.groups(); gr++) {
            float[] b = x;
            int bOff = xOff + (i0 * g.c() + gr * g.cg()) * g.inPixels();
            if (nb > 1 || !g.colsAreInput()) {
                b = Scratch.cols(k * ld);
                bOff = 0;
                for (int i = i0; i < i1; i++) {
                    Im2col.im2col(g, x, xOff + (i * g.c() + gr * g.cg()) * g.inPixels(), b, (i - i0) * p, ld);
                }
            }
            float[] d = dy;
            int dOff = dyOff + (i0 * g.f() + gr * fg) * p;
            if (nb > 1) {
                d = gatherRows(g, dy, dyOff, i0, i1, gr);
                dOff = 0;
            }
            Sgemm.sgemm(false, true, fg, k, ld, 1f, d, dOff, ld, b, bOff, ld,
                    accumulate ? 1f : 0f, part, partOff + gr * fg * k, k);
        }
    }

    /** dy of images [i0, i1) and group gr as one (fg × nb·P) matrix in the thread's row scratch. */
    private static float[] gatherRows(Conv2dGeometry g, float[] dy, int dyOff, int i0, int i1, int gr) {
        int p = g.outPixels(), fg = g.fg(), ld = (i1 - i0) * p;
        float[] rows = Scratch.rows(fg * ld);
        for (int i = i0; i < i1; i++) {
            for (int f = 0; f < fg; f++) {
                System.arraycopy(dy, dyOff + (i * g.f() + gr * fg + f) * p, rows, f * ld + (i - i0) * p, p);
            }
        }
        return rows;
    }

    /** db (f) += Σ over images and pixels of dy, in double; split over channels only. */
    public static void backwardBias(Conv2dGeometry g, float[] dy, int dyOff, float[] db, int dbOff) {
        int p = g.outPixels();
        Parallel.forRange(g.f(), Math.max(1, (1 << 16) / Math.max(1, g.n() * p)), (lo, hi) -> {
            for (int f = lo; f < hi; f++) {
                double s = 0;
                for (int i = 0; i < g.n(); i++) {
                    int row = dyOff + (i * g.f() + f) * p;
                    for (int j = 0; j < p; j++) s += dy[row + j];
                }
                db[dbOff + f] += (float) s;
            }
        });
    }

    /** Runs {@code body} on blocks of {@link #imagesPerGemm} images: one thread per block when there are enough. */
    private static void forEachBlock(Conv2dGeometry g, Parallel.RangeBody body) {
        int per = imagesPerGemm(g), blocks = (g.n() + per - 1) / per;
        if (blocks >= Parallel.threads() && Parallel.threads() > 1) {
            Parallel.forBlocks(g.n(), per, body);
        } else {
            for (int i0 = 0; i0 < g.n(); i0 += per) body.run(i0, Math.min(g.n(), i0 + per));
        }
    }

    /** Per-thread buffers, grown on demand and kept: no large allocation per call once warm. */
    private static final class Scratch {
        private static final ThreadLocal<float[]> COLS = ThreadLocal.withInitial(() -> new float[0]);
        private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[0]);
        private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[0]);

        /** Column matrices (K × B·P); contents undefined. */
        static float[] cols(int size) {
            return grown(COLS, size);
        }

        /** Output or output-gradient rows of a block of images (fg × B·P); contents undefined. */
        static float[] rows(int size) {
            return grown(ROWS, size);
        }

        static float[] partials(int size) {
            return grown(PARTIALS, size);
        }

        private static float[] grown(ThreadLocal<float[]> slot, int size) {
            float[] a = slot.get();
            if (a.length < size) {
                a = new float[size];
                slot.set(a);
            }
            return a;
        }
    }
}
