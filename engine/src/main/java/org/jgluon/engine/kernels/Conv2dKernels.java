package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
 * One image per GEMM when its output is large (P ≥ {@link #ONE_IMAGE_PIXELS}); for small outputs
 * (AlexNet's 12×12 and 4×4 layers) B images share one GEMM so that its n dimension stays near
 * {@link #TARGET_COLUMNS} and the packed weights are reused across them; their outputs are then
 * scattered back into NCHW (and dy gathered from it).
 *
 * <p>Threads: with at least as many image blocks as threads, each thread takes whole blocks and
 * its SGEMM calls run inline; with fewer (batch 1) the blocks run one after the other and SGEMM
 * splits each product over the threads. Column matrices live in per-thread scratch reused across
 * calls. The backward passes add into their outputs.
 *
 * <p>3×3 and 5×5 stride-1 layers may take Winograd's domain instead ({@link Conv2dWinograd}); the
 * choice is made by {@code ConvOps}, never here.
 *
 * <p>Determinism: forward and backward-data write disjoint images. The weight gradient sums over
 * images in at most {@link #WEIGHT_BLOCKS} fixed blocks (sizes depend only on the batch), each into
 * its own partial, and adds the partials in block order: the bits do not depend on the thread count.
 */
public final class Conv2dKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();

    /** The most partial weight gradients one backward-weights call keeps (memory vs parallelism). */
    static final int WEIGHT_BLOCKS = 8;
    /** Images are grouped so that one GEMM has about this many output columns. */
    static final int TARGET_COLUMNS = 512;
    /**
     * An image whose output has at least this many pixels is a GEMM of its own in every pass: wide
     * (forward) and deep (weight gradient) enough, and side by side with another it would only add
     * a copy. conv1 at 96 (22×22 = 484) went from 2 images per GEMM to 1: its forward 1.1× (no
     * scatter of y), its weight gradient 1.15× (no copy of dy: 13 % of that pass).
     */
    static final int ONE_IMAGE_PIXELS = 256;
    /** Cap on one thread's column buffer (floats), bounding the images per GEMM for large K. */
    static final int MAX_COLS_FLOATS = 1 << 23;

    private Conv2dKernels() {}

    /** Images per GEMM for this geometry: depends on the sizes only, never on the thread count. */
    static int imagesPerGemm(Conv2dGeometry g) {
        int p = g.outPixels();
        if (p >= ONE_IMAGE_PIXELS) return 1;
        int b = (TARGET_COLUMNS + p - 1) / p;
        // a few more images when that makes the columns whole panels of SGEMM: no edge panel
        // (packed for a part of its width, computed whole), and for 10×10 outputs 8 images
        // (800 columns) instead of 6: 16 equal blocks of a batch of 128, not 21 and a short one
        for (int more = b; more < b + (b + 1) / 2; more++) {
            if (more * p % Sgemm.NR == 0) {
                b = more;
                break;
            }
        }
        b = Math.min(b, Math.max(1, MAX_COLS_FLOATS / Math.max(1, g.colRows() * p)));
        return Math.max(1, Math.min(b, g.n()));
    }

    /** y (n, f, oh, ow) = conv(x (n, c, h, w), w (f, cg, kh, kw)) + bias (f) (bias may be null). */
    public static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                               float[] bias, int biasOff, float[] y, int yOff) {
        forward(g, x, xOff, w, wOff, bias, biasOff, y, yOff, false);
    }

    /** {@link #forward} that adds the convolution onto y instead ({@code accumulate}, bias must be null). */
    private static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                                float[] bias, int biasOff, float[] y, int yOff, boolean accumulate) {
        int p = g.outPixels(), fg = g.fg();
        float beta = accumulate ? 1f : 0f;
        Sgemm.PackedA[] weights = packWeights(g, w, wOff, false);
        forEachBlock(g, (i0, i1) -> {
            int nb = i1 - i0, ld = nb * p;
            for (int gr = 0; gr < g.groups(); gr++) {
                float[] c = y;
                int cOff = yOff + (i0 * g.f() + gr * fg) * p;
                if (nb > 1) {
                    c = Scratch.rows(fg * ld);
                    cOff = 0;
                }
                if (nb == 1 && g.colsAreInput()) {
                    Sgemm.sgemm(weights[gr], false, p, 1f, x, xOff + (i0 * g.c() + gr * g.cg()) * g.inPixels(), p,
                            beta, c, cOff, p);
                } else {
                    Sgemm.sgemm(weights[gr], Im2colPanels.forColumns(g, x, xOff, i0, i1, gr).columns(), ld, 1f,
                            nb > 1 ? 0f : beta, c, cOff, ld);
                }
                if (nb > 1) {
                    // scatter the block's (fg × nb·P) product back into NCHW, adding the bias on the way
                    for (int i = i0; i < i1; i++) {
                        for (int f = 0; f < fg; f++) {
                            int to = yOff + (i * g.f() + gr * fg + f) * p;
                            int from = f * ld + (i - i0) * p;
                            if (accumulate) Im2col.addInto(c, from, y, to, p);
                            else if (bias == null) System.arraycopy(c, from, y, to, p);
                            else copyPlus(c, from, y, to, p, bias[biasOff + gr * fg + f]);
                        }
                    }
                } else if (bias != null) {
                    for (int f = 0; f < fg; f++) addScalar(y, cOff + f * p, p, bias[biasOff + gr * fg + f]);
                }
            }
        });
    }

    /** dx (n, c, h, w) += the gradient of the convolution's input, given dy (n, f, oh, ow). */
    public static void backwardData(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff,
                                    float[] dx, int dxOff) {
        backwardData(g, dy, dyOff, w, wOff, dx, dxOff, true);
    }

    /**
     * {@link #backwardData} that adds into dx ({@code accumulate}) or writes every element of it
     * (its contents may be anything: autograd's {@code GradTarget} with {@code accumulate == false},
     * a gradient buffer that was not zeroed).
     */
    public static void backwardData(Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff,
                                    float[] dx, int dxOff, boolean accumulate) {
        if (backwardDataIsAConvolution(g)) {
            forward(transposed(g), dy, dyOff, flippedWeights(g, w, wOff), 0, null, 0, dx, dxOff, accumulate);
            return;
        }
        // col2im adds: a written gradient starts from zeros
        if (!accumulate) Arrays.fill(dx, dxOff, dxOff + g.n() * g.c() * g.inPixels(), 0f);
        int k = g.colRows(), p = g.outPixels(), fg = g.fg();
        Sgemm.PackedA[] weightsT = packWeights(g, w, wOff, true);
        forEachBlock(g, (i0, i1) -> {
            int nb = i1 - i0, ld = nb * p;
            for (int gr = 0; gr < g.groups(); gr++) {
                int dxg = dxOff + (i0 * g.c() + gr * g.cg()) * g.inPixels();
                float[] d = dy;
                int dOff = dyOff + (i0 * g.f() + gr * fg) * p;
                if (nb > 1) {
                    d = gatherRows(g, dy, dyOff, i0, i1, gr);
                    dOff = 0;
                }
                if (nb == 1 && g.colsAreInput()) {
                    // the column matrix is dx itself: accumulate straight into it
                    Sgemm.sgemm(weightsT[gr], false, p, 1f, d, dOff, p, 1f, dx, dxg, p);
                    continue;
                }
                float[] cols = Scratch.cols(k * ld);
                Sgemm.sgemm(weightsT[gr], false, ld, 1f, d, dOff, ld, 0f, cols, 0, ld);
                for (int i = i0; i < i1; i++) {
                    Im2col.col2im(g, cols, (i - i0) * p, ld, dx, dxOff + (i * g.c() + gr * g.cg()) * g.inPixels());
                }
            }
        });
    }

    /*
     * With stride 1, the input gradient is itself a convolution: dy padded by dil·(k − 1) − pad,
     * with the kernel flipped and its filter and channel axes swapped,
     *   dx[c][iy][ix] = Σ_{f, ki, kj} dy[f][iy + pad − dil·ki][ix + pad − dil·kj] · w[f][c][ki][kj],
     * and it runs on the forward's implicit-im2col GEMM instead of writing the column matrix of
     * dx (K × B·P) and adding it back with col2im.
     */

    /** True when {@link #transposed} applies: stride 1 and padding at most the dilated kernel's reach. */
    static boolean backwardDataIsAConvolution(Conv2dGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1
                && g.padH() <= g.dilH() * (g.kh() - 1) && g.padW() <= g.dilW() * (g.kw() - 1);
    }

    /** The convolution of dy (n, f, oh, ow) that gives dx (n, c, h, w), for a stride-1 geometry. */
    static Conv2dGeometry transposed(Conv2dGeometry g) {
        return Conv2dGeometry.of(g.n(), g.f(), g.oh(), g.ow(), g.c(), g.kh(), g.kw(), 1, 1,
                g.dilH() * (g.kh() - 1) - g.padH(), g.dilW() * (g.kw() - 1) - g.padW(), g.dilH(), g.dilW(), g.groups());
    }

    /** w (f, cg, kh, kw) as the weights of {@link #transposed}: (c, fg, kh, kw), flipped, per group. */
    private static float[] flippedWeights(Conv2dGeometry g, float[] w, int wOff) {
        int kh = g.kh(), kw = g.kw(), taps = kh * kw, fg = g.fg(), cg = g.cg();
        float[] t = Scratch.flipped(g.f() * cg * taps);
        for (int gr = 0; gr < g.groups(); gr++) {
            for (int f = 0; f < fg; f++) {
                for (int c = 0; c < cg; c++) {
                    int from = wOff + ((gr * fg + f) * cg + c) * taps, to = ((gr * cg + c) * fg + f) * taps;
                    for (int tap = 0; tap < taps; tap++) t[to + taps - 1 - tap] = w[from + tap];
                }
            }
        }
        return t;
    }

    /**
     * Each group's weights packed once per call for SGEMM (W_g, fg × K, or its transpose), in the
     * calling thread's scratch: every block of images then reuses them instead of repacking.
     */
    private static Sgemm.PackedA[] packWeights(Conv2dGeometry g, float[] w, int wOff, boolean transpose) {
        int k = g.colRows(), fg = g.fg(), size = Sgemm.packedSize(fg, k);
        float[] into = Scratch.packed(g.groups() * size);
        Sgemm.PackedA[] packed = new Sgemm.PackedA[g.groups()];
        for (int gr = 0; gr < g.groups(); gr++) {
            int wg = wOff + gr * fg * k;
            packed[gr] = transpose ? Sgemm.pack(true, k, fg, w, wg, k, into, gr * size)
                    : Sgemm.pack(false, fg, k, w, wg, k, into, gr * size);
        }
        return packed;
    }

    private static void addScalar(float[] y, int from, int len, float v) {
        FloatVector b = FloatVector.broadcast(SPECIES, v);
        int j = from, end = from + len;
        for (; j <= end - VL; j += VL) FloatVector.fromArray(SPECIES, y, j).add(b).intoArray(y, j);
        for (; j < end; j++) y[j] += v;
    }

    /** y[to, to + len) = c[from, from + len) + v: the scatter of a block and its bias in one pass. */
    private static void copyPlus(float[] c, int from, float[] y, int to, int len, float v) {
        for (int j = 0; j < len; j++) y[to + j] = c[from + j] + v;
    }

    /** dw (f, cg, kh, kw) += Σ over images of dy_i · cols_iᵀ, deterministic for any thread count. */
    public static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                       float[] dw, int dwOff) {
        backwardWeights(g, x, xOff, dy, dyOff, dw, dwOff, true);
    }

    /** {@link #backwardWeights} that adds into dw ({@code accumulate}) or writes every element of it. */
    public static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                       float[] dw, int dwOff, boolean accumulate) {
        int n = g.n(), k = g.colRows(), wide = Im2colPanels.wideTaps(g), psize = g.f() * wide;
        int perGemm = imagesPerGemm(g);
        // At most WEIGHT_BLOCKS blocks, but none narrower than one GEMM's worth of columns: each
        // block costs a partial (f × K) to write and add up, and a shallow GEMM.
        int blockSize = Math.max((n + WEIGHT_BLOCKS - 1) / WEIGHT_BLOCKS, perGemm);
        int blocks = (n + blockSize - 1) / blockSize;
        // (one GEMM per whole block, k = 16 images · 676 for conv2 at 224, measured ≈ 10 % slower
        // than a GEMM per image: 11 depth slices each re-reading and re-writing the partial)
        // Partials have rows of `wide` floats: the widened GEMM's extra columns land past K and are dropped.
        float[] partials = Scratch.partials(blocks * psize);
        Parallel.RangeBody block = (lo, hi) -> {
            int part = lo / blockSize * psize;
            for (int i0 = lo; i0 < hi; i0 += perGemm) {
                weightsOfImages(g, x, xOff, dy, dyOff, i0, Math.min(hi, i0 + perGemm), i0 > lo, partials, part);
            }
        };
        if (blocks >= Parallel.threads() && Parallel.threads() > 1) {
            Parallel.forBlocks(n, blockSize, block);
        } else {
            for (int lo = 0; lo < n; lo += blockSize) block.run(lo, Math.min(n, lo + blockSize));
        }
        // add the partials in block order, split over the (independent) weight rows
        // Each row's sum goes through a row buffer, block by block (the same order of additions as
        // one vector chain per column): a vector carried across the inner loop over blocks was
        // boxed by C2 (80-byte arrays, most of a step's allocation at 96).
        Parallel.forRange(g.f(), Math.max(1, (1 << 14) / k), (lo, hi) -> {
            // written = added to zeros, as into the old zeroed buffer (−0 sums become +0: the same
            // bits either way); a vector chosen by `accumulate` inside the loop was boxed too
            if (!accumulate) Arrays.fill(dw, dwOff + lo * k, dwOff + hi * k, 0f);
            float[] sum = Scratch.rowSum(k);
            for (int f = lo; f < hi; f++) {
                int row = f * wide, out = dwOff + f * k;
                System.arraycopy(partials, row, sum, 0, k);
                for (int b = 1; b < blocks; b++) Im2col.addInto(partials, b * psize + row, sum, 0, k);
                Im2col.addInto(dw, out, sum, 0, k);
                System.arraycopy(sum, 0, dw, out, k);
            }
        });
    }

    /**
     * part (f × wide, all groups; row stride {@link Im2colPanels#wideTaps}) = (accumulate ? part : 0)
     * + Σ_{i0 ≤ i < i1} dy_i · cols_iᵀ, as one GEMM; columns K..wide of a row are left undefined.
     */
    private static void weightsOfImages(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, int i0, int i1,
                                        boolean accumulate, float[] part, int partOff) {
        int k = g.colRows(), wide = Im2colPanels.wideTaps(g), p = g.outPixels(), fg = g.fg(), nb = i1 - i0, ld = nb * p;
        for (int gr = 0; gr < g.groups(); gr++) {
            float[] d = dy;
            int dOff = dyOff + (i0 * g.f() + gr * fg) * p;
            if (nb > 1) {
                d = gatherRows(g, dy, dyOff, i0, i1, gr);
                dOff = 0;
            }
            float beta = accumulate ? 1f : 0f;
            int cOff = partOff + gr * fg * wide;
            if (nb == 1 && g.colsAreInput()) {
                Sgemm.sgemm(false, true, fg, k, ld, 1f, d, dOff, ld, x, xOff + (i0 * g.c() + gr * g.cg()) * g.inPixels(), ld,
                        beta, part, cOff, wide);
                continue;
            }
            Im2colPanels cols = Im2colPanels.of(g, x, xOff, i0, i1, gr);
            // widened where the reads fit, else K columns: the same bits in columns below K
            boolean widened = wide > k && cols.wideFits();
            int n = widened ? wide : k;
            Sgemm.BPanels b = widened ? cols.columnsTransposedWide() : cols.columnsTransposed();
            if (n > Sgemm.DIRECT_A_MAX_COLUMNS) {
                // SGEMM would pack dy again for every 1024 columns of C (3 times at conv3): pack it once
                float[] into = Scratch.packedDy(Sgemm.packedSize(fg, ld));
                Sgemm.sgemm(Sgemm.pack(false, fg, ld, d, dOff, ld, into, 0), b, n, 1f, beta, part, cOff, wide);
            } else {
                // few columns: SGEMM's tiles read dy in place
                Sgemm.sgemm(false, fg, n, ld, 1f, d, dOff, ld, b, beta, part, cOff, wide);
            }
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

    /**
     * db (f) += Σ over images and pixels of dy; split over channels only. Each image's row (P
     * values) is summed in float vector lanes, the rows in double: a scalar double chain ran at
     * one add per 4 cycles. The lanes are combined by {@link Lanes#sum} in lane order:
     * {@code reduceLanes(ADD)} combined them in another order once compiled, so the first step of
     * a fresh JVM gave other bias-gradient bits than later ones ({@code StepDeterminism} found it).
     */
    public static void backwardBias(Conv2dGeometry g, float[] dy, int dyOff, float[] db, int dbOff) {
        backwardBias(g, dy, dyOff, db, dbOff, true);
    }

    /** {@link #backwardBias} that adds into db ({@code accumulate}) or writes it. */
    public static void backwardBias(Conv2dGeometry g, float[] dy, int dyOff, float[] db, int dbOff, boolean accumulate) {
        int p = g.outPixels();
        Parallel.forRange(g.f(), Math.max(1, (1 << 16) / Math.max(1, g.n() * p)), (lo, hi) -> {
            // images outer: a thread streams its filters' rows of one image (contiguous) after the
            // other, where filters outer jumped a whole image (186 KB for conv1 at 96) per row;
            // each filter's sum still adds the images in order, so the bits are unchanged
            double[] sums = Scratch.sums(hi - lo);
            for (int i = 0; i < g.n(); i++) {
                for (int f = lo; f < hi; f++) {
                    int row = dyOff + (i * g.f() + f) * p, j = 0;
                    FloatVector v = FloatVector.zero(SPECIES);
                    for (; j <= p - VL; j += VL) v = v.add(FloatVector.fromArray(SPECIES, dy, row + j));
                    float tail = 0f;
                    for (; j < p; j++) tail += dy[row + j];
                    sums[f - lo] += Lanes.sum(v) + tail;
                }
            }
            for (int f = lo; f < hi; f++) db[dbOff + f] = (accumulate ? db[dbOff + f] : 0f) + (float) sums[f - lo];
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
        private static final ThreadScratch COLS = new ThreadScratch();
        private static final ThreadScratch ROWS = new ThreadScratch();
        private static final ThreadScratch PARTIALS = new ThreadScratch();
        private static final ThreadScratch PACKED = new ThreadScratch();
        private static final ThreadScratch FLIPPED = new ThreadScratch();
        private static final ThreadScratch PACKED_DY = new ThreadScratch();
        private static final ThreadScratch ROW_SUM = new ThreadScratch();
        private static final ThreadLocal<double[]> SUMS = ThreadLocal.withInitial(() -> new double[0]);

        /** Column matrices (K × B·P); contents undefined. */
        static float[] cols(int size) {
            return COLS.of(size);
        }

        /** Output or output-gradient rows of a block of images (fg × B·P); contents undefined. */
        static float[] rows(int size) {
            return ROWS.of(size);
        }

        /** Weights packed for SGEMM; filled by the calling thread, read by the workers. */
        static float[] packed(int size) {
            return PACKED.of(size);
        }

        /** Weights flipped for the backward-data convolution (caller thread). */
        static float[] flipped(int size) {
            return FLIPPED.of(size);
        }

        /** dy of a weight-gradient GEMM packed for SGEMM (worker threads, each its own). */
        static float[] packedDy(int size) {
            return PACKED_DY.of(size);
        }

        /** Double sums (the bias gradient's), zeroed. */
        static double[] sums(int size) {
            double[] a = SUMS.get();
            if (a.length < size) {
                a = new double[size];
                SUMS.set(a);
            }
            java.util.Arrays.fill(a, 0, size, 0.0);
            return a;
        }

        /** One weight-gradient row's sum over the blocks (worker threads, each its own). */
        static float[] rowSum(int size) {
            return ROW_SUM.of(size);
        }

        static float[] partials(int size) {
            return PARTIALS.of(size);
        }

    }
}
