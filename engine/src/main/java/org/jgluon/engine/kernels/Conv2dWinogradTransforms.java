package org.jgluon.engine.kernels;

import java.util.Arrays;

/**
 * The linear maps of Winograd's F(2×2, r×r), r = 3 or 5, in scalar form, and their adjoints (the
 * backward passes are the chain rule through them). With α = r + 1 (4 or 6) points, a 2×2 output
 * tile of an r×r stride-1 convolution is {@code y = Aᵀ [Σ_c (G w Gᵀ) ⊙ (Bᵀ d B)] A} for the α×α
 * input tile d at twice the tile's position in the zero-padded input ({@link Conv2dWinogradReference}
 * has the matrices). Each 2-D map is a 1-D one applied to the rows, then to the columns:
 * <pre>
 *   forward      V  = Bᵀ d B    (α×α → α×α)      y  = Aᵀ M A   (α×α → 2×2)
 *   adjoints     dd = B dV Bᵀ   (added: tiles overlap)   dM = A dy Aᵀ  (2×2 → α×α)
 * </pre>
 * The α² elements ξ = α·row + col of a tile's Winograd-domain values are stored {@code xs} apart.
 *
 * <p>This is the scalar twin of {@link Conv2dWinogradLanes} (16 images a vector): the same
 * operations in the same order per value, so the same bits, which the tests check. The driver
 * runs it on blocks that are not whole lane groups (batch tails, batches under 16, lane groups too
 * large for the scratch cap), where a tile is one image's.
 */
final class Conv2dWinogradTransforms {

    private Conv2dWinogradTransforms() {}

    /**
     * The distance between the α² matrices of a Winograd-domain buffer of {@code floats} values each
     * (the ξ-major layout, and the packed weights): rounded up to 1024 floats plus one cache line.
     * Each tile reads or writes one value in each, and at a distance that is a multiple of 4 KiB
     * (C·P = 384·128 floats at 96) all of them fall into one set of the 12-way L1: the input
     * transform ran at 60 ns per tile, 4× slower than with the matrices a line apart in the sets.
     */
    static int xiStride(int floats) {
        return (floats + 1023) / 1024 * 1024 + 16;
    }

    /**
     * The tile grid of one image for F(2×2, r×r), α = r + 1: th × tw tiles of 2×2 outputs (the last
     * ones partial when oh or ow is odd), reading the zero-padded input plane of hp = 2·th + α − 2
     * rows and wp = 2·tw + α − 2 columns (which holds the whole padded input: hp ≥ h + 2·padH).
     */
    record Tiles(int alpha, int th, int tw, int hp, int wp) {
        static Tiles of(Conv2dGeometry g) {
            int alpha = g.kh() + 1, th = (g.oh() + 1) / 2, tw = (g.ow() + 1) / 2;
            return new Tiles(alpha, th, tw, 2 * th + alpha - 2, 2 * tw + alpha - 2);
        }

        int perImage() {
            return th * tw;
        }

        /** α²: elements of the Winograd domain = GEMMs per block. */
        int xi() {
            return alpha * alpha;
        }

        /** Input rows that tile rows [ty0, ty1) read: [2·ty0, 2·ty1 + α − 2). */
        int rowsEnd(int ty1) {
            return 2 * ty1 + alpha - 2;
        }
    }

    // ---- the 1-D maps; Conv2dWinogradLanes has the same lines on vectors ----

    /** dst[d0 + k·ds] = (Bᵀ s)[k], s[j] = src[s0 + j·ss], j, k < α. */
    static void bt(int alpha, float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        float v0 = src[s0], v1 = src[s0 + ss], v2 = src[s0 + 2 * ss], v3 = src[s0 + 3 * ss];
        if (alpha == 4) {
            dst[d0] = v0 - v2;
            dst[d0 + ds] = v1 + v2;
            dst[d0 + 2 * ds] = v2 - v1;
            dst[d0 + 3 * ds] = v1 - v3;
            return;
        }
        float v4 = src[s0 + 4 * ss], v5 = src[s0 + 5 * ss];
        float s12 = v1 + v2, d12 = v1 - v2, s34 = v3 + v4, d43 = v4 - v3, d42 = v4 - v2, d31 = v3 - v1;
        dst[d0] = v0 * 4f + v4 - v2 * 5f;
        dst[d0 + ds] = s34 - s12 * 4f;
        dst[d0 + 2 * ds] = d43 + d12 * 4f;
        dst[d0 + 3 * ds] = d42 + d31 * 2f;
        dst[d0 + 4 * ds] = d42 - d31 * 2f;
        dst[d0 + 5 * ds] = v1 * 4f + v5 - v3 * 5f;
    }

    /** dst[d0 + k·ds] (+)= (B s)[k], the adjoint of {@link #bt}; added when {@code add}. */
    static void b(int alpha, float[] src, int s0, int ss, float[] dst, int d0, int ds, boolean add) {
        float v0 = src[s0], v1 = src[s0 + ss], v2 = src[s0 + 2 * ss], v3 = src[s0 + 3 * ss];
        if (alpha == 4) {
            put(dst, d0, v0, add);
            put(dst, d0 + ds, v1 - v2 + v3, add);
            put(dst, d0 + 2 * ds, v1 + v2 - v0, add);
            put(dst, d0 + 3 * ds, -v3, add);
            return;
        }
        float v4 = src[s0 + 4 * ss], v5 = src[s0 + 5 * ss];
        float s12 = v1 + v2, d12 = v1 - v2, s34 = v3 + v4, d34 = v3 - v4;
        put(dst, d0, v0 * 4f, add);
        put(dst, d0 + ds, (v5 - d12) * 4f - d34 * 2f, add);
        put(dst, d0 + 2 * ds, -(v0 * 5f + s12 * 4f + s34), add);
        put(dst, d0 + 3 * ds, d12 + d34 * 2f - v5 * 5f, add);
        put(dst, d0 + 4 * ds, v0 + s12 + s34, add);
        put(dst, d0 + 5 * ds, v5, add);
    }

    private static void put(float[] dst, int at, float v, boolean add) {
        if (add) dst[at] += v;
        else dst[at] = v;
    }

    /** dst[d0 + a·ds] = (Aᵀ s)[a], a < 2, s[j] = src[s0 + j·ss], j < α. */
    static void at(int alpha, float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        float m0 = src[s0], m1 = src[s0 + ss], m2 = src[s0 + 2 * ss], m3 = src[s0 + 3 * ss];
        if (alpha == 4) {
            dst[d0] = m0 + m1 + m2;
            dst[d0 + ds] = m1 - m2 - m3;
            return;
        }
        float m4 = src[s0 + 4 * ss], m5 = src[s0 + 5 * ss];
        dst[d0] = m0 + (m1 + m2) + (m3 + m4);
        dst[d0 + ds] = m1 - m2 + (m3 - m4) * 2f + m5;
    }

    /** dst[d0 + k·ds] = (A s)[k], k < α, s = (src[s0], src[s0 + ss]): the adjoint of {@link #at}. */
    static void a(int alpha, float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        float y0 = src[s0], y1 = src[s0 + ss];
        dst[d0] = y0;
        dst[d0 + ds] = y0 + y1;
        dst[d0 + 2 * ds] = y0 - y1;
        if (alpha == 4) {
            dst[d0 + 3 * ds] = -y1;
            return;
        }
        float twice = y1 + y1;
        dst[d0 + 3 * ds] = y0 + twice;
        dst[d0 + 4 * ds] = y0 - twice;
        dst[d0 + 5 * ds] = y1;
    }

    // ---- the 2-D maps over one image's plane, tile rows [ty0, ty1), tiles ps apart ----

    /**
     * Copies the padded rows [2·ty0, 2·ty1 + α − 2) of one input plane (h × w at xOff) into
     * {@code plane} (row stride wp), zero outside the image.
     */
    static void padRows(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] x, int xOff, float[] plane) {
        int wp = t.wp(), w = g.w(), pw = g.padW();
        for (int r = 2 * ty0; r < t.rowsEnd(ty1); r++) {
            int iy = r - g.padH(), row = r * wp;
            if (iy < 0 || iy >= g.h()) {
                Arrays.fill(plane, row, row + wp, 0f);
            } else {
                Arrays.fill(plane, row, row + pw, 0f);
                System.arraycopy(x, xOff + iy * w, plane, row + pw, w);
                Arrays.fill(plane, row + pw + w, row + wp, 0f);
            }
        }
    }

    /** v[vOff + ξ·xs + tile·ps] = (Bᵀ d B)[ξ] for the tiles of rows [ty0, ty1) of a plane from {@link #padRows}. */
    static void input(Tiles t, int ty0, int ty1, float[] plane, float[] tmp, float[] v, int vOff, int xs, int ps) {
        int alpha = t.alpha(), wp = t.wp(), o = vOff;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += ps) {
                int at = 2 * ty * wp + 2 * tx;
                for (int i = 0; i < alpha; i++) bt(alpha, plane, at + i * wp, 1, tmp, i * alpha, 1);
                for (int k = 0; k < alpha; k++) bt(alpha, tmp, k, alpha, v, o + k * xs, alpha * xs);
            }
        }
    }

    /**
     * The adjoint of {@link #input}: adds B dV Bᵀ of the tiles of rows [ty0, ty1) into {@code plane}
     * (its rows [2·ty0, 2·ty1 + α − 2) zeroed first), then the plane's part inside the image into dx
     * (h × w at dxOff) ({@link #toImage}). Overlapping tiles add in tile order: fixed bits.
     */
    static void inputAdjoint(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] dv, int dvOff, int xs, int ps,
                             float[] tmp, float[] plane, float[] dx, int dxOff, boolean accumulate) {
        int alpha = t.alpha(), wp = t.wp(), o = dvOff;
        Arrays.fill(plane, 2 * ty0 * wp, t.rowsEnd(ty1) * wp, 0f);
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += ps) {
                int at = 2 * ty * wp + 2 * tx;
                for (int i = 0; i < alpha; i++) b(alpha, dv, o + i * alpha * xs, xs, tmp, i * alpha, 1, false);
                for (int k = 0; k < alpha; k++) b(alpha, tmp, k, alpha, plane, at + k, wp, true);
            }
        }
        toImage(g, t, ty0, ty1, plane, dx, dxOff, accumulate);
    }

    /**
     * dx rows of plane rows [2·ty0, 2·ty1 + α − 2) (+)= the plane's part inside the image. Not
     * accumulating, the first α − 2 rows of a later tile-row block were written by the block before
     * (blocks of an image come in order, in one thread): those add.
     */
    static void toImage(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] plane, float[] dx, int dxOff,
                        boolean accumulate) {
        int wp = t.wp(), w = g.w(), pw = g.padW(), shared = ty0 > 0 ? 2 * ty0 + t.alpha() - 2 : 0;
        for (int r = 2 * ty0; r < t.rowsEnd(ty1); r++) {
            int iy = r - g.padH();
            if (iy < 0 || iy >= g.h()) continue;
            if (accumulate || r < shared) Im2col.addInto(plane, r * wp + pw, dx, dxOff + iy * w, w);
            else System.arraycopy(plane, r * wp + pw, dx, dxOff + iy * w, w);
        }
    }

    /**
     * y (oh × ow at yOff), the rows of tile rows [ty0, ty1) = Aᵀ M A + bias, M of a tile at
     * m[mOff + ξ·xs + tile·ps]; outputs past (oh, ow) are dropped.
     */
    static void output(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] m, int mOff, int xs, int ps, float bias,
                       float[] tmp, float[] y, int yOff) {
        int alpha = t.alpha(), oh = g.oh(), ow = g.ow(), o = mOff;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += ps) {
                for (int i = 0; i < alpha; i++) at(alpha, m, o + i * alpha * xs, xs, tmp, i * 2, 1);
                at(alpha, tmp, 0, 2, tmp, 2 * alpha, 2);
                at(alpha, tmp, 1, 2, tmp, 2 * alpha + 1, 2);
                for (int r = 0; r < 2 && 2 * ty + r < oh; r++) {
                    for (int c = 0; c < 2 && 2 * tx + c < ow; c++) {
                        y[yOff + (2 * ty + r) * ow + 2 * tx + c] = tmp[2 * alpha + 2 * r + c] + bias;
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #output}: dm[dmOff + ξ·xs + tile·ps] = (A dy Aᵀ)[ξ] for the tiles of rows
     * [ty0, ty1), dy (oh × ow at dyOff) taken as 0 past (oh, ow).
     */
    static void outputAdjoint(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] dy, int dyOff, float[] tmp,
                              float[] dm, int dmOff, int xs, int ps) {
        int alpha = t.alpha(), oh = g.oh(), ow = g.ow(), o = dmOff, d = 2 * alpha;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += ps) {
                for (int r = 0; r < 2; r++) {
                    for (int c = 0; c < 2; c++) {
                        int oy = 2 * ty + r, ox = 2 * tx + c;
                        tmp[d + 2 * r + c] = oy < oh && ox < ow ? dy[dyOff + oy * ow + ox] : 0f;
                    }
                }
                for (int r = 0; r < 2; r++) a(alpha, tmp, d + 2 * r, 1, tmp, r * alpha, 1);
                for (int k = 0; k < alpha; k++) a(alpha, tmp, k, alpha, dm, o + k * xs, alpha * xs);
            }
        }
    }

    /** Floats of {@code tmp} the 2-D maps need: α² for the half-transformed tile plus 4 for the 2×2 one. */
    static int tmpSize(Tiles t) {
        return t.xi() + 4 + 2 * t.alpha();
    }
}
