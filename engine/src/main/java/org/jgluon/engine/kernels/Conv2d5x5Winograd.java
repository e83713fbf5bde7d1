package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Conv2dWinogradTransforms.xiStride;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.jgluon.engine.Parallel;

/**
 * 5×5 stride-1 convolutions (groups 1, dilation 1, any padding) in Winograd's F(2×2, 5×5) domain:
 * 36 multiplies per 2×2 output tile and channel where im2col needs 100 (AlexNet's conv2). With
 * the points 0, ±1, ±2, ∞ (the same Bᵀ as F(4×4, 3×3)):
 * <pre>
 *   Bᵀ = | 4  0 −5  0  1  0 |    G = |  1/4    0     0     0    0  |    Aᵀ = | 1  1  1  1  1  0 |
 *        | 0 −4 −4  1  1  0 |        | −1/6 −1/6  −1/6  −1/6 −1/6 |         | 0  1 −1  2 −2  1 |
 *        | 0  4 −4 −1  1  0 |        | −1/6  1/6  −1/6   1/6 −1/6 |
 *        | 0 −2 −1  2  1  0 |        | 1/24  1/12  1/6   1/3  2/3 |
 *        | 0  2 −1 −2  1  0 |        | 1/24 −1/12  1/6  −1/3  2/3 |
 *        | 0  4  0 −5  0  1 |        |   0    0     0     0    1  |
 * </pre>
 * a 2×2 output tile is {@code Aᵀ [Σ_c (G w Gᵀ) ⊙ (Bᵀ d B)] A} for the 6×6 input tile d at twice the
 * tile's position in the zero-padded input. For a block of tiles, with ξ one of the 36 elements of
 * the 6×6 domain: U[ξ] (F × C) = G w Gᵀ, V[ξ] (C × P) = Bᵀ d B, M[ξ] = U[ξ]·V[ξ] (36 SGEMMs),
 * y = Aᵀ M A + bias. Backward-data runs here too: at stride 1 it is the forward of the transposed
 * convolution ({@link Conv2dKernels#transposed}), a 5×5 one again. The weight gradient stays im2col.
 *
 * <p>Lanes are images: a block is {@link #LANES} images (one vector; the last block of a batch
 * may leave lanes empty) × a range of tile rows, its columns tile-major (tile·LANES + image), so
 * the transforms run on whole vectors, 16 images at a time, with no gathers. Blocks never share
 * an output element: threads take whole blocks, and the bits do not depend on the thread count.
 */
final class Conv2d5x5Winograd {

    /** {@code -Djgluon.conv.winograd5=false} keeps 5×5 layers on im2col (for comparisons). */
    static final boolean ENABLED = !"false".equals(System.getProperty("jgluon.conv.winograd5"));
    /** Elements of the Winograd domain (6 × 6) = the number of GEMMs per block. */
    static final int XI = 36;
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Images per block: one per lane. */
    static final int LANES = SPECIES.length();
    /** Columns (tiles × lanes) a block aims at: the GEMMs' n. */
    static final int TARGET_COLUMNS = 256;
    /** Cap on one Winograd-domain buffer of a block (36 · max(C, F) · P floats). */
    static final int MAX_DOMAIN_FLOATS = 1 << 21;
    /** The same cap for the weight gradient, whose buffers are shared by the threads, not one per thread. */
    static final int WEIGHT_DOMAIN_FLOATS = 1 << 23;
    /**
     * Cap on a lane group's padded planes (C · hp · wp · LANES floats: 16 images' input); larger
     * layers (5×5 on large images) stay on im2col. conv2 at 224 needs 3.7 M for its input gradient.
     */
    static final int MAX_PLANE_FLOATS = 1 << 23;

    private Conv2d5x5Winograd() {}

    /**
     * True when this path computes g: a 5×5 kernel at stride 1, no dilation, one group, and at
     * least a full block of images (a batch of a few images is faster on im2col, whose SGEMM
     * splits one image over the threads). Sizes only: never the thread count.
     */
    static boolean applies(Conv2dGeometry g) {
        if (!(ENABLED && g.kh() == 5 && g.kw() == 5 && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1
                && g.dilW() == 1 && g.groups() == 1 && g.n() >= LANES)) {
            return false;
        }
        // bounded scratch: a lane group's planes, and one tile row in the Winograd domain
        long th = (g.oh() + 1) / 2, tw = (g.ow() + 1) / 2, channels = Math.max(g.c(), g.f());
        return channels * (2 * th + 4) * (2 * tw + 4) * LANES <= MAX_PLANE_FLOATS
                && XI * channels * tw * LANES <= WEIGHT_DOMAIN_FLOATS;
    }

    /** y (n, f, oh, ow) = (accumulate ? y : 0) + conv(x, w) + bias (bias null when accumulating). */
    static void forward(Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                        float[] y, int yOff, boolean accumulate) {
        int th = (g.oh() + 1) / 2, tw = (g.ow() + 1) / 2;
        int rows = tileRowsPerBlock(g, tw), rowBlocks = (th + rows - 1) / rows;
        int blocks = (g.n() + LANES - 1) / LANES * rowBlocks;
        Sgemm.PackedA[] u = transformedWeights(g, w, wOff);
        Parallel.forRange(blocks, 1, (lo, hi) -> {
            float[] planes = Scratch.PLANE.of(g.c() * (2 * th + 4) * (2 * tw + 4) * LANES);
            int filled = -1;
            for (int b = lo; b < hi; b++) {
                int i0 = b / rowBlocks * LANES, ty0 = b % rowBlocks * rows;
                if (i0 != filled) {
                    // a thread's blocks come in image order: each group's planes copied once
                    lanePlanes(g, x, xOff, i0, th, tw, planes);
                    filled = i0;
                }
                block(g, u, planes, bias, biasOff, y, yOff, accumulate, i0, ty0, Math.min(th, ty0 + rows), th, tw);
            }
        });
    }

    /**
     * planes[((ch·hp + py)·wp + px)·LANES + l] = the zero-padded input of image i0 + l, channel ch at
     * (py, px), hp = 2·th + 4, wp = 2·tw + 4: every tile of the group reads whole vectors of it.
     * Lanes past the batch are 0 (the weight gradient sums over every lane).
     */
    private static void lanePlanes(Conv2dGeometry g, float[] x, int xOff, int i0, int th, int tw, float[] planes) {
        lanePlanes(g, x, xOff, i0, th, tw, planes, 0, g.c());
    }

    /** {@link #lanePlanes} of channels [c0, c1). */
    private static void lanePlanes(Conv2dGeometry g, float[] x, int xOff, int i0, int th, int tw, float[] planes,
                                   int c0, int c1) {
        int c = g.c(), h = g.h(), w = g.w(), hp = 2 * th + 4, wp = 2 * tw + 4, lanes = Math.min(LANES, g.n() - i0);
        Arrays.fill(planes, c0 * hp * wp * LANES, c1 * hp * wp * LANES, 0f);
        for (int l = 0; l < lanes; l++) {
            for (int ch = c0; ch < c1; ch++) {
                int src = xOff + ((i0 + l) * c + ch) * h * w;
                for (int iy = 0; iy < h; iy++) {
                    int from = src + iy * w, to = ((ch * hp + iy + g.padH()) * wp + g.padW()) * LANES + l;
                    for (int ix = 0; ix < w; ix++) planes[to + ix * LANES] = x[from + ix];
                }
            }
        }
    }

    /** Tile rows per block: about {@link #TARGET_COLUMNS} columns, under the buffer cap. */
    static int tileRowsPerBlock(Conv2dGeometry g, int tw) {
        int columns = Math.min(TARGET_COLUMNS, MAX_DOMAIN_FLOATS / (XI * Math.max(g.c(), g.f())));
        return Math.max(1, Math.min((g.oh() + 1) / 2, columns / (tw * LANES)));
    }

    /**
     * Images [i0, i0 + LANES) ∩ [0, n), tile rows [ty0, ty1): transform in, 36 GEMMs, transform out.
     * The Winograd-domain buffers hold row (ch, ξ) of V at (ch·36 + ξ)·P and row (f, ξ) of M at
     * (f·36 + ξ)·P: a tile's 36 values of one channel or filter lie in one run of 36·P floats,
     * not in 36 matrices megabytes apart (36 streams that the transforms missed on).
     */
    private static void block(Conv2dGeometry g, Sgemm.PackedA[] u, float[] planes, float[] bias, int biasOff,
                              float[] y, int yOff, boolean accumulate, int i0, int ty0, int ty1, int th, int tw) {
        int c = g.c(), f = g.f(), p = (ty1 - ty0) * tw * LANES, ld = XI * p;
        float[] v = Scratch.V.of(c * ld), m = Scratch.M.of(f * ld);
        inputs(g, planes, ty0, ty1, th, tw, v, p);
        for (int xi = 0; xi < XI; xi++) Sgemm.sgemm(u[xi], false, p, 1f, v, xi * p, ld, 0f, m, xi * p, ld);
        outputs(g, m, p, bias, biasOff, y, yOff, accumulate, i0, ty0, ty1, tw);
    }

    /** V[(ch·36 + ξ)·P + tile·LANES + lane] = (Bᵀ d B)[ξ] of each tile of the block, every channel. */
    private static void inputs(Conv2dGeometry g, float[] planes, int ty0, int ty1, int th, int tw, float[] v, int p) {
        inputs(g, planes, ty0, ty1, th, tw, v, p, 0, g.c());
    }

    /** {@link #inputs} of channels [c0, c1). */
    private static void inputs(Conv2dGeometry g, float[] planes, int ty0, int ty1, int th, int tw, float[] v, int p,
                               int c0, int c1) {
        int wp = 2 * tw + 4, rowStride = wp * LANES, planeSize = (2 * th + 4) * rowStride;
        float[] tmp = Scratch.TMP.of(XI * LANES);
        for (int ch = c0; ch < c1; ch++) {
            for (int ty = ty0; ty < ty1; ty++) {
                for (int tx = 0; tx < tw; tx++) {
                    int at = ch * planeSize + (2 * ty * wp + 2 * tx) * LANES;
                    int col = ch * XI * p + ((ty - ty0) * tw + tx) * LANES;
                    // rows of d times B, then Bᵀ times the columns, straight into the 36 rows of V
                    for (int i = 0; i < 6; i++) bt(planes, at + i * rowStride, LANES, tmp, i * 6 * LANES, LANES);
                    for (int k = 0; k < 6; k++) bt(tmp, k * LANES, 6 * LANES, v, col + k * p, 6 * p);
                }
            }
        }
    }

    /** y of the block's images and outputs = Aᵀ M A (+ bias), or y += it. */
    private static void outputs(Conv2dGeometry g, float[] m, int p, float[] bias, int biasOff, float[] y, int yOff,
                                boolean accumulate, int i0, int ty0, int ty1, int tw) {
        int f = g.f(), oh = g.oh(), ow = g.ow(), lanes = Math.min(LANES, g.n() - i0);
        int ow2 = 2 * tw, oy0 = 2 * ty0, oy1 = Math.min(oh, 2 * ty1);
        float[] out = Scratch.OUT.of(2 * (ty1 - ty0) * ow2 * LANES), tmp = Scratch.TMP.of(XI * LANES);
        for (int ff = 0; ff < f; ff++) {
            for (int ty = ty0; ty < ty1; ty++) {
                for (int tx = 0; tx < tw; tx++) {
                    int col = ff * XI * p + ((ty - ty0) * tw + tx) * LANES;
                    for (int r = 0; r < 6; r++) at(m, col + r * 6 * p, p, tmp, r * 2 * LANES, LANES);
                    int to = (2 * (ty - ty0) * ow2 + 2 * tx) * LANES;
                    for (int b = 0; b < 2; b++) at(tmp, b * LANES, 2 * LANES, out, to + b * LANES, ow2 * LANES);
                }
            }
            float bf = bias == null ? 0f : bias[biasOff + ff];
            for (int l = 0; l < lanes; l++) {
                int plane = yOff + ((i0 + l) * f + ff) * oh * ow;
                for (int oy = oy0; oy < oy1; oy++) {
                    int dst = plane + oy * ow, src = (oy - oy0) * ow2 * LANES + l;
                    if (accumulate) {
                        for (int ox = 0; ox < ow; ox++) y[dst + ox] += out[src + ox * LANES];
                    } else {
                        for (int ox = 0; ox < ow; ox++) y[dst + ox] = out[src + ox * LANES] + bf;
                    }
                }
            }
        }
    }

    /**
     * dw (f, c, 5, 5) += (or, not {@code accumulate}, =) the weight gradient, given x and dy: dU[ξ] (F × C) = Σ_blocks dM[ξ]·V[ξ]ᵀ with
     * dM = A dy Aᵀ (the adjoint of the output transform), then dw += Gᵀ dU G. The blocks (lane
     * groups × tile rows, sizes only) go one after the other, each one's transforms split over
     * channels and filters and its 36 GEMMs over ξ, every dU[ξ] adding the blocks in block order:
     * the bits do not depend on the thread count.
     */
    static void backwardWeights(Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff,
                                boolean accumulate) {
        int n = g.n(), c = g.c(), f = g.f(), th = (g.oh() + 1) / 2, tw = (g.ow() + 1) / 2;
        // deeper blocks than the forward's (the buffers are shared, not per thread): all tile rows
        // of a lane group where they fit (conv2 at 96: K = 400), fewer passes over dU and barriers
        int rows = Math.max(1, Math.min(th, WEIGHT_DOMAIN_FLOATS / (XI * Math.max(c, f) * tw * LANES)));
        int us = xiStride(f * c), maxLd = XI * rows * tw * LANES;
        // all in the calling thread's scratch, shared by the workers of each phase
        float[] du = Scratch.U.of(XI * us), planes = Scratch.PLANE.of(c * (2 * th + 4) * (2 * tw + 4) * LANES);
        float[] v = Scratch.V.of(c * maxLd), dm = Scratch.M.of(f * maxLd);
        boolean first = true;
        for (int i0 = 0; i0 < n; i0 += LANES) {
            for (int ty0 = 0; ty0 < th; ty0 += rows) {
                int group = i0, t0 = ty0, t1 = Math.min(th, ty0 + rows), p = (t1 - t0) * tw * LANES, ld = XI * p;
                // one pass for both transforms (channels, then filters), the group's planes made
                // with its first block: two barriers per block
                Parallel.forRange(c + f, 1, (lo, hi) -> {
                    // channels and filters interleaved in proportion, so that each thread's chunk
                    // holds its share of both: a channel's transform costs more than a filter's,
                    // and contiguous halves (channels first) left one thread waiting
                    int c0 = (int) ((long) lo * c / (c + f)), c1 = (int) ((long) hi * c / (c + f));
                    if (c0 < c1) {
                        if (t0 == 0) lanePlanes(g, x, xOff, group, th, tw, planes, c0, c1);
                        inputs(g, planes, t0, t1, th, tw, v, p, c0, c1);
                    }
                    int f0 = lo - c0, f1 = hi - c1;
                    if (f0 < f1) outputGradients(g, dy, dyOff, group, t0, t1, tw, dm, p, f0, f1);
                });
                float beta = first ? 0f : 1f;
                Parallel.forRange(XI, 1, (lo, hi) -> {
                    for (int xi = lo; xi < hi; xi++) {
                        Sgemm.sgemm(false, true, f, c, p, 1f, dm, xi * p, ld, v, xi * p, ld, beta, du, xi * us, c);
                    }
                });
                first = false;
            }
        }
        Parallel.forRange(f, 1, (lo, hi) -> weightsAdjoint(du, us, c, f, lo, hi, dw, dwOff, accumulate));
    }

    /**
     * dM[(ff·36 + ξ)·P + tile·LANES + lane] = (A dY Aᵀ)[ξ] for filters [f0, f1) of the block's tiles:
     * dY the tile's 2×2 output gradient (0 past (oh, ow) and in lanes past the batch).
     */
    private static void outputGradients(Conv2dGeometry g, float[] dy, int dyOff, int i0, int ty0, int ty1, int tw,
                                        float[] dm, int p, int f0, int f1) {
        int f = g.f(), oh = g.oh(), ow = g.ow(), lanes = Math.min(LANES, g.n() - i0);
        int ow2 = 2 * tw, oy0 = 2 * ty0, oy1 = Math.min(oh, 2 * ty1), size = 2 * (ty1 - ty0) * ow2 * LANES;
        float[] buf = Scratch.OUT.of(size), tmp = Scratch.TMP.of(XI * LANES);
        for (int ff = f0; ff < f1; ff++) {
            Arrays.fill(buf, 0, size, 0f);
            for (int l = 0; l < lanes; l++) {
                int plane = dyOff + ((i0 + l) * f + ff) * oh * ow;
                for (int oy = oy0; oy < oy1; oy++) {
                    int src = plane + oy * ow, to = (oy - oy0) * ow2 * LANES + l;
                    for (int ox = 0; ox < ow; ox++) buf[to + ox * LANES] = dy[src + ox];
                }
            }
            for (int ty = ty0; ty < ty1; ty++) {
                for (int tx = 0; tx < tw; tx++) {
                    int at = (2 * (ty - ty0) * ow2 + 2 * tx) * LANES;
                    int col = ff * XI * p + ((ty - ty0) * tw + tx) * LANES;
                    // each of the 2 rows of dY times Aᵀ (6 values), then A times the 6 columns
                    for (int a = 0; a < 2; a++) aT(buf, at + a * ow2 * LANES, LANES, tmp, a * 6 * LANES, LANES);
                    for (int k = 0; k < 6; k++) aT(tmp, k * LANES, 6 * LANES, dm, col + k * p, 6 * p);
                }
            }
        }
    }

    /** dst[d0 + r·dStride] = (A s)[r], s[a] = src[s0 + a·sStride], r < 6, a < 2: the adjoint of {@link #at}. */
    private static void aT(float[] src, int s0, int sStride, float[] dst, int d0, int dStride) {
        FloatVector y0 = FloatVector.fromArray(SPECIES, src, s0), y1 = FloatVector.fromArray(SPECIES, src, s0 + sStride);
        FloatVector twice = y1.add(y1);
        y0.intoArray(dst, d0);
        y0.add(y1).intoArray(dst, d0 + dStride);
        y0.sub(y1).intoArray(dst, d0 + 2 * dStride);
        y0.add(twice).intoArray(dst, d0 + 3 * dStride);
        y0.sub(twice).intoArray(dst, d0 + 4 * dStride);
        y1.intoArray(dst, d0 + 5 * dStride);
    }

    /** dw[ff][ch] (+)= Gᵀ dU[ff][ch] G (5 × 5) for filters [f0, f1); dU[ξ][f][c] at ξ·us + f·c + ch. */
    private static void weightsAdjoint(float[] du, int us, int c, int f, int f0, int f1, float[] dw, int dwOff,
                                       boolean accumulate) {
        float[] t = Scratch.TMP.of(XI * LANES);
        for (int ff = f0; ff < f1; ff++) {
            for (int ch = 0; ch < c; ch++) {
                int at = ff * c + ch;
                // s (6 × 5) = dU G: Gᵀ applied to each row of dU
                for (int i = 0; i < 6; i++) {
                    int r = at + i * 6 * us;
                    gT(du[r], du[r + us], du[r + 2 * us], du[r + 3 * us], du[r + 4 * us], du[r + 5 * us], t, 36 + i * 5, 1);
                }
                // dw += Gᵀ s: Gᵀ applied to each column of s
                int out = dwOff + at * 25;
                for (int j = 0; j < 5; j++) {
                    gT(t[36 + j], t[41 + j], t[46 + j], t[51 + j], t[56 + j], t[61 + j], t, 0, 1);
                    for (int i = 0; i < 5; i++) dw[out + i * 5 + j] = (accumulate ? dw[out + i * 5 + j] : 0f) + t[i];
                }
            }
        }
    }

    /** out[o0 + j·step] = (Gᵀ u)[j], j < 5: the adjoint of {@link #g5}. */
    private static void gT(float u0, float u1, float u2, float u3, float u4, float u5, float[] out, int o0, int step) {
        float s12 = u1 + u2, d12 = u2 - u1, s34 = u3 + u4, d34 = u3 - u4;
        out[o0] = u0 / 4f - s12 / 6f + s34 / 24f;
        out[o0 + step] = d12 / 6f + d34 / 12f;
        out[o0 + 2 * step] = -s12 / 6f + s34 / 6f;
        out[o0 + 3 * step] = d12 / 6f + d34 / 3f;
        out[o0 + 4 * step] = -s12 / 6f + s34 * (2f / 3f) + u5;
    }

    /** dst[d0 + k·dStride] = (Bᵀ s)[k], s[j] = src[s0 + j·sStride], k, j < 6: whole vectors. */
    private static void bt(float[] src, int s0, int sStride, float[] dst, int d0, int dStride) {
        FloatVector v0 = FloatVector.fromArray(SPECIES, src, s0), v1 = FloatVector.fromArray(SPECIES, src, s0 + sStride);
        FloatVector v2 = FloatVector.fromArray(SPECIES, src, s0 + 2 * sStride);
        FloatVector v3 = FloatVector.fromArray(SPECIES, src, s0 + 3 * sStride);
        FloatVector v4 = FloatVector.fromArray(SPECIES, src, s0 + 4 * sStride);
        FloatVector v5 = FloatVector.fromArray(SPECIES, src, s0 + 5 * sStride);
        FloatVector s12 = v1.add(v2), d12 = v1.sub(v2), s34 = v3.add(v4), d43 = v4.sub(v3);
        FloatVector d42 = v4.sub(v2), d31 = v3.sub(v1);
        v0.mul(4f).add(v4).sub(v2.mul(5f)).intoArray(dst, d0);                        // 4v0 − 5v2 + v4
        s34.sub(s12.mul(4f)).intoArray(dst, d0 + dStride);                             // −4v1 − 4v2 + v3 + v4
        d43.add(d12.mul(4f)).intoArray(dst, d0 + 2 * dStride);                         // 4v1 − 4v2 − v3 + v4
        d42.add(d31.mul(2f)).intoArray(dst, d0 + 3 * dStride);                         // −2v1 − v2 + 2v3 + v4
        d42.sub(d31.mul(2f)).intoArray(dst, d0 + 4 * dStride);                         // 2v1 − v2 − 2v3 + v4
        v1.mul(4f).add(v5).sub(v3.mul(5f)).intoArray(dst, d0 + 5 * dStride);           // 4v1 − 5v3 + v5
    }

    /** dst[d0 + a·dStride] = (Aᵀ s)[a], s[j] = src[s0 + j·sStride], a < 2, j < 6. */
    private static void at(float[] src, int s0, int sStride, float[] dst, int d0, int dStride) {
        FloatVector m0 = FloatVector.fromArray(SPECIES, src, s0), m1 = FloatVector.fromArray(SPECIES, src, s0 + sStride);
        FloatVector m2 = FloatVector.fromArray(SPECIES, src, s0 + 2 * sStride);
        FloatVector m3 = FloatVector.fromArray(SPECIES, src, s0 + 3 * sStride);
        FloatVector m4 = FloatVector.fromArray(SPECIES, src, s0 + 4 * sStride);
        FloatVector m5 = FloatVector.fromArray(SPECIES, src, s0 + 5 * sStride);
        FloatVector s12 = m1.add(m2), s34 = m3.add(m4);
        m0.add(s12).add(s34).intoArray(dst, d0);                                        // m0 + m1 + m2 + m3 + m4
        m1.sub(m2).add(m3.sub(m4).mul(2f)).add(m5).intoArray(dst, d0 + dStride);       // m1 − m2 + 2m3 − 2m4 + m5
    }

    /**
     * U[ξ] = G w Gᵀ (F × C) for every filter and channel, stored C × F (the transposed A, so that
     * packing copies rows with vector moves), each of the 36 packed once for SGEMM.
     */
    private static Sgemm.PackedA[] transformedWeights(Conv2dGeometry g, float[] w, int wOff) {
        int c = g.c(), f = g.f(), us = xiStride(f * c), size = Sgemm.packedSize(f, c);
        float[] u = Scratch.U.of(XI * us), packed = Scratch.PACKED_U.of(XI * size);
        Parallel.forRange(f, Math.max(1, 1024 / c), (lo, hi) -> {
            float[] t = Scratch.TMP.of(XI * LANES), col = Scratch.OUT.of(6);
            for (int ff = lo; ff < hi; ff++) {
                for (int ch = 0; ch < c; ch++) {
                    int s = wOff + (ff * c + ch) * 25;
                    // t (6 × 5) = G w: G applied to each column of w
                    for (int j = 0; j < 5; j++) {
                        g5(w[s + j], w[s + 5 + j], w[s + 10 + j], w[s + 15 + j], w[s + 20 + j], col);
                        for (int i = 0; i < 6; i++) t[i * 5 + j] = col[i];
                    }
                    // U (6 × 6) = t Gᵀ: G applied to each row of t
                    for (int i = 0; i < 6; i++) {
                        g5(t[i * 5], t[i * 5 + 1], t[i * 5 + 2], t[i * 5 + 3], t[i * 5 + 4], col);
                        for (int k = 0; k < 6; k++) u[(i * 6 + k) * us + ch * f + ff] = col[k];
                    }
                }
            }
        });
        Sgemm.PackedA[] out = new Sgemm.PackedA[XI];
        Parallel.forRange(XI, 1, (lo, hi) -> {
            for (int xi = lo; xi < hi; xi++) out[xi] = Sgemm.pack(true, f, c, u, xi * us, f, packed, xi * size);
        });
        return out;
    }

    /** out[0..5] = G (v0..v4). */
    private static void g5(float v0, float v1, float v2, float v3, float v4, float[] out) {
        float even = v0 + v2 + v4, odd = v1 + v3;
        float e = v0 / 24f + v2 / 6f + v4 * (2f / 3f), o = v1 / 12f + v3 / 3f;
        out[0] = v0 / 4f;
        out[1] = -(even + odd) / 6f;
        out[2] = -(even - odd) / 6f;
        out[3] = e + o;
        out[4] = e - o;
        out[5] = v4;
    }


    /** Per-thread buffers, grown on demand and kept: no large allocation per call once warm. */
    private enum Scratch {
        /** Input-side Winograd-domain block of a worker. */
        V,
        /** Output-side Winograd-domain block of a worker. */
        M,
        /** A group's zero-padded input planes, every channel, lane form (a worker's). */
        PLANE,
        /** One tile's half-transformed values (a worker's). */
        TMP,
        /** A block's outputs of one filter, lane form (a worker's). */
        OUT,
        /** Transformed weights (caller). */
        U,
        /** Transformed weights packed for SGEMM (caller, read by the workers). */
        PACKED_U;

        private final ThreadScratch slot = new ThreadScratch();

        float[] of(int size) {
            return slot.of(size);
        }
    }
}
