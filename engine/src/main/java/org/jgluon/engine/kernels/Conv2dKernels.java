package org.jgluon.engine.kernels;

import org.jgluon.engine.Parallel;

/**
 * 2-D convolution as im2col + SGEMM, NCHW, with groups. For image i and group g, with
 * {@code cols} the column matrix ({@link Im2col}) of that group's input channels:
 * <pre>
 *   forward          y_i,g   = W_g (fg × K) · cols (K × P)  (+ bias)       K = cg·kh·kw, P = oh·ow
 *   backward-data    dx_i,g += col2im(W_gᵀ (K × fg) · dy_i,g (fg × P))
 *   backward-weights dW_g   += Σ_i dy_i,g (fg × P) · colsᵀ (P × K)
 *   backward-bias    db     += Σ_i,p dy                                    (in double)
 * </pre>
 * Threads: with at least as many images as threads, each thread takes whole images and its
 * SGEMM calls run inline (one thread per image); with fewer images (batch 1) the images run one
 * after the other and SGEMM splits each product over the threads. Column matrices live in
 * per-thread scratch reused across calls. The backward passes add into their outputs.
 *
 * <p>Determinism: forward and backward-data write disjoint images. The weight gradient sums
 * over images in fixed blocks ({@link #WEIGHT_BLOCKS} at most, sizes depending only on the batch),
 * each block into its own partial, and the partials are added in block order: the bits do not
 * depend on the thread count.
 */
public final class Conv2dKernels {

    /** The most partial weight gradients one backward-weights call keeps (memory vs parallelism). */
    static final int WEIGHT_BLOCKS = 8;

    private Conv2dKernels() {}

    /** y (n, f, oh, ow) = conv(x (n, c, h, w), w (f, cg, kh, kw)) + bias (f) (bias may be null). */
    public static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                               float[] bias, int biasOff, float[] y, int yOff) {
        forEachImage(g, i -> {
            float[] cols = g.colsAreInput() ? null : Scratch.cols(g);
            int xi = xOff + i * g.c() * g.inPixels(), yi = yOff + i * g.f() * g.outPixels();
            int k = g.colRows(), p = g.outPixels();
            for (int gr = 0; gr < g.groups(); gr++) {
                int xg = xi + gr * g.cg() * g.inPixels(), yg = yi + gr * g.fg() * p;
                float[] b = x;
                int bOff = xg;
                if (cols != null) {
                    Im2col.im2col(g, x, xg, cols, 0, p);
                    b = cols;
                    bOff = 0;
                }
                Sgemm.sgemm(false, false, g.fg(), p, k, 1f, w, wOff + gr * g.fg() * k, k, b, bOff, p,
                        0f, y, yg, p);
            }
            if (bias != null) {
                for (int f = 0; f < g.f(); f++) {
                    float bf = bias[biasOff + f];
                    int row = yi + f * p;
                    for (int j = 0; j < p; j++) y[row + j] += bf;
                }
            }
        });
    }

    /** dx (n, c, h, w) += the gradient of the convolution's input, given dy (n, f, oh, ow). */
    public static void backwardData(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff,
                                    float[] dx, int dxOff) {
        forEachImage(g, i -> {
            int k = g.colRows(), p = g.outPixels();
            int dxi = dxOff + i * g.c() * g.inPixels(), dyi = dyOff + i * g.f() * p;
            for (int gr = 0; gr < g.groups(); gr++) {
                int dxg = dxi + gr * g.cg() * g.inPixels(), dyg = dyi + gr * g.fg() * p;
                int wg = wOff + gr * g.fg() * k;
                if (g.colsAreInput()) {
                    // the column matrix is dx itself: accumulate straight into it
                    Sgemm.sgemm(true, false, k, p, g.fg(), 1f, w, wg, k, dy, dyg, p, 1f, dx, dxg, p);
                } else {
                    float[] cols = Scratch.cols(g);
                    Sgemm.sgemm(true, false, k, p, g.fg(), 1f, w, wg, k, dy, dyg, p, 0f, cols, 0, p);
                    Im2col.col2im(g, cols, 0, p, dx, dxg);
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
        float[] partials = Scratch.partials(blocks * wsize);
        Parallel.RangeBody block = (lo, hi) -> {
            int part = lo / blockSize * wsize;
            for (int i = lo; i < hi; i++) weightsOfImage(g, x, xOff, dy, dyOff, i, i > lo, partials, part);
        };
        if (blocks >= Parallel.threads()) {
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

    /** part (f × K, all groups) = (accumulate ? part : 0) + dy_i · cols_iᵀ. */
    private static void weightsOfImage(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, int i,
                                       boolean accumulate, float[] part, int partOff) {
        int k = g.colRows(), p = g.outPixels();
        int xi = xOff + i * g.c() * g.inPixels(), dyi = dyOff + i * g.f() * p;
        float[] cols = g.colsAreInput() ? null : Scratch.cols(g);
        for (int gr = 0; gr < g.groups(); gr++) {
            int xg = xi + gr * g.cg() * g.inPixels(), dyg = dyi + gr * g.fg() * p;
            float[] b = x;
            int bOff = xg;
            if (cols != null) {
                Im2col.im2col(g, x, xg, cols, 0, p);
                b = cols;
                bOff = 0;
            }
            Sgemm.sgemm(false, true, g.fg(), k, p, 1f, dy, dyg, p, b, bOff, p,
                    accumulate ? 1f : 0f, part, partOff + gr * g.fg() * k, k);
        }
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

    private interface ImageBody {
        void run(int image);
    }

    /** Runs {@code body} for every image: one thread per image when there are enough images. */
    private static void forEachImage(Conv2dGeometry g, ImageBody body) {
        if (g.n() >= Parallel.threads() && Parallel.threads() > 1) {
            Parallel.forRange(g.n(), 1, (lo, hi) -> {
                for (int i = lo; i < hi; i++) body.run(i);
            });
        } else {
            for (int i = 0; i < g.n(); i++) body.run(i);
        }
    }

    /** Per-thread buffers, grown on demand and kept: no large allocation per call once warm. */
    private static final class Scratch {
        private static final ThreadLocal<float[]> COLS = ThreadLocal.withInitial(() -> new float[0]);
        private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[0]);

        /** A column buffer of at least K·P floats for the calling thread; contents undefined. */
        static float[] cols(Conv2dGeometry g) {
            return grown(COLS, g.colRows() * g.outPixels());
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
