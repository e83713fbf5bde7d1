package org.jgluon.engine.kernels;

import java.util.Arrays;

/**
 * The linear maps of Winograd's F(2×2, 3×3) and their adjoints (the backward passes are the chain
 * rule through them). With
 * <pre>
 *   Bᵀ = | 1  0 −1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
 *        | 0  1  1  0 |         | ½    ½    ½  |          | 0  1 −1 −1 |
 *        | 0 −1  1  0 |         | ½   −½    ½  |
 *        | 0  1  0 −1 |         | 0    0    1  |
 * </pre>
 * a 2×2 output tile of a 3×3 stride-1 convolution is {@code y = Aᵀ [Σ_c (G w G ᵀ) ⊙ (Bᵀ d B)] A}
 * for the 4×4 input tile d at twice the tile's position in the zero-padded input. The 16 elements
 * ξ = 4·r + s of the 4×4 Winograd domain are stored {@code xiStride} apart; tiles {@code pStride}
 * apart, numbered row-major over the tile rows [ty0, ty1) of an image.
 *
 * <p>Input planes go through a zero-bordered copy ({@code plane}, {@link Tiles#hp} × {@link Tiles#wp}
 * floats, only the rows the tiles read) so that every tile, including the partial last ones of odd
 * outputs and those in the padding, reads 16 in-range values; outputs past (oh, ow) are dropped.
 * Scalar code: the transforms are adds and subtracts of 16 values scattered over 16 matrices,
 * small next to the 16 GEMMs between them.
 */
final class Conv2dWinogradTransforms {

    /** Elements of the Winograd domain (4 × 4) = the number of GEMMs. */
    static final int XI = 16;

    private Conv2dWinogradTransforms() {}

    /**
     * The distance between the 16 matrices of a Winograd-domain buffer whose matrices hold
     * {@code floats} values: rounded up to 1024 floats plus one cache line. Each tile reads or
     * writes one value in each of the 16, and at a distance that is a multiple of 4 KiB (C·P =
     * 384·128 floats at 96) all 16 fall into one set of the 12-way L1: the input transform ran at
     * 60 ns per tile, 4× slower than with the matrices a line apart in the sets.
     */
    static int xiStride(int floats) {
        return (floats + 1023) / 1024 * 1024 + 16;
    }

    /**
     * The tile grid of one image: th × tw tiles of 2×2 outputs (the last ones partial when oh or ow
     * is odd), reading the zero-padded input plane of hp = 2·th + 2 rows and wp = 2·tw + 2 columns
     * (which holds the whole padded input: hp ≥ h + 2·padH).
     */
    record Tiles(int th, int tw, int hp, int wp) {
        static Tiles of(Conv2dGeometry g) {
            int th = (g.oh() + 1) / 2, tw = (g.ow() + 1) / 2;
            return new Tiles(th, tw, 2 * th + 2, 2 * tw + 2);
        }

        int perImage() {
            return th * tw;
        }
    }

    // ---- weights: U = G w Gᵀ (forward), dw += Gᵀ dU G (weight gradient) ----

    /**
     * u[uOff + ξ·xiStride + f·fStride + c·cStride] = (G w[f][c] Gᵀ)[ξ] for filters [f0, f1) and all
     * channels; w (F, C, 3, 3) from wOff.
     */
    static void weights(float[] w, int wOff, int c, int f0, int f1, float[] u, int uOff, int xiStride, int fStride,
                        int cStride) {
        // the inner loop runs along the stored rows of u (c when cStride is 1, f otherwise)
        boolean fOuter = cStride == 1;
        int outer = fOuter ? f1 - f0 : c, inner = fOuter ? c : f1 - f0;
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int f = fOuter ? f0 + a : f0 + b, ch = fOuter ? b : a;
                weight(w, wOff + (f * c + ch) * 9, u, uOff + f * fStride + ch * cStride, xiStride);
            }
        }
    }

    /** The 16 values of G w Gᵀ for the 3×3 kernel at {@code from}, written {@code xs} apart from {@code o}. */
    static void weight(float[] w, int from, float[] u, int o, int xs) {
        float w0 = w[from], w1 = w[from + 1], w2 = w[from + 2], w3 = w[from + 3], w4 = w[from + 4], w5 = w[from + 5];
        float w6 = w[from + 6], w7 = w[from + 7], w8 = w[from + 8];
        // rows of G w: g0 = w row 0, g1 = ½(r0 + r1 + r2), g2 = ½(r0 − r1 + r2), g3 = row 2; then each times Gᵀ
        weightRow(u, o, xs, w0, w1, w2);
        weightRow(u, o + 4 * xs, xs, 0.5f * (w0 + w3 + w6), 0.5f * (w1 + w4 + w7), 0.5f * (w2 + w5 + w8));
        weightRow(u, o + 8 * xs, xs, 0.5f * (w0 - w3 + w6), 0.5f * (w1 - w4 + w7), 0.5f * (w2 - w5 + w8));
        weightRow(u, o + 12 * xs, xs, w6, w7, w8);
    }

    /** One row of (G w) times Gᵀ: [q0, ½(q0 + q1 + q2), ½(q0 − q1 + q2), q2]. */
    private static void weightRow(float[] u, int o, int xs, float q0, float q1, float q2) {
        u[o] = q0;
        u[o + xs] = 0.5f * (q0 + q1 + q2);
        u[o + 2 * xs] = 0.5f * (q0 - q1 + q2);
        u[o + 3 * xs] = q2;
    }

    /**
     * dw[f][c] (F, C, 3, 3) += Gᵀ dU[f][c] G for filters [f0, f1) (= when not {@code accumulate}), dU
     * at du[duOff + ξ·xiStride + f·fStride + c·cStride].
     */
    static void weightsAdjoint(float[] du, int duOff, int xiStride, int fStride, int cStride, int c, int f0, int f1,
                               float[] dw, int dwOff, boolean accumulate) {
        int xs = xiStride;
        for (int f = f0; f < f1; f++) {
            for (int ch = 0; ch < c; ch++) {
                int o = duOff + f * fStride + ch * cStride;
                float u00 = du[o], u01 = du[o + xs], u02 = du[o + 2 * xs], u03 = du[o + 3 * xs];
                float u10 = du[o + 4 * xs], u11 = du[o + 5 * xs], u12 = du[o + 6 * xs], u13 = du[o + 7 * xs];
                float u20 = du[o + 8 * xs], u21 = du[o + 9 * xs], u22 = du[o + 10 * xs], u23 = du[o + 11 * xs];
                float u30 = du[o + 12 * xs], u31 = du[o + 13 * xs], u32 = du[o + 14 * xs], u33 = du[o + 15 * xs];
                // rows of Gᵀ dU: h0 = u0 + ½(u1 + u2), h1 = ½(u1 − u2), h2 = ½(u1 + u2) + u3
                float p0 = 0.5f * (u10 + u20), p1 = 0.5f * (u11 + u21), p2 = 0.5f * (u12 + u22), p3 = 0.5f * (u13 + u23);
                float h00 = u00 + p0, h01 = u01 + p1, h02 = u02 + p2, h03 = u03 + p3;
                float h10 = 0.5f * (u10 - u20), h11 = 0.5f * (u11 - u21), h12 = 0.5f * (u12 - u22), h13 = 0.5f * (u13 - u23);
                float h20 = p0 + u30, h21 = p1 + u31, h22 = p2 + u32, h23 = p3 + u33;
                int d = dwOff + (f * c + ch) * 9;
                weightAdjointRow(dw, d, h00, h01, h02, h03, accumulate);
                weightAdjointRow(dw, d + 3, h10, h11, h12, h13, accumulate);
                weightAdjointRow(dw, d + 6, h20, h21, h22, h23, accumulate);
            }
        }
    }

    /** One row of (Gᵀ dU) times G, added into dw: [h0 + ½(h1 + h2), ½(h1 − h2), ½(h1 + h2) + h3]. */
    private static void weightAdjointRow(float[] dw, int d, float h0, float h1, float h2, float h3, boolean accumulate) {
        float p = 0.5f * (h1 + h2), a = h0 + p, b = 0.5f * (h1 - h2), c = p + h3;
        if (accumulate) {
            dw[d] += a;
            dw[d + 1] += b;
            dw[d + 2] += c;
        } else {
            dw[d] = a;
            dw[d + 1] = b;
            dw[d + 2] = c;
        }
    }

    // ---- inputs: V = Bᵀ d B (forward, weight gradient), dx += B dV Bᵀ (input gradient) ----

    /**
     * Copies the padded rows [2·ty0, 2·ty1 + 2) of one input plane (h × w at xOff) into
     * {@code plane} (row stride wp), zero outside the image.
     */
    static void padRows(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] x, int xOff, float[] plane) {
        int wp = t.wp(), w = g.w(), pw = g.padW();
        for (int r = 2 * ty0; r < 2 * ty1 + 2; r++) {
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

    /**
     * v[vOff + ξ·xs + p·ps] = (Bᵀ d_p B)[ξ] for the tiles p of tile rows [ty0, ty1) of a plane
     * already in {@code plane} ({@link #padRows}).
     */
    static void input(Tiles t, int ty0, int ty1, float[] plane, float[] v, int vOff, int xs, int ps) {
        int wp = t.wp(), o = vOff;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += ps) {
                int b0 = 2 * ty * wp + 2 * tx, b1 = b0 + wp, b2 = b1 + wp, b3 = b2 + wp;
                float d00 = plane[b0], d01 = plane[b0 + 1], d02 = plane[b0 + 2], d03 = plane[b0 + 3];
                float d10 = plane[b1], d11 = plane[b1 + 1], d12 = plane[b1 + 2], d13 = plane[b1 + 3];
                float d20 = plane[b2], d21 = plane[b2 + 1], d22 = plane[b2 + 2], d23 = plane[b2 + 3];
                float d30 = plane[b3], d31 = plane[b3 + 1], d32 = plane[b3 + 2], d33 = plane[b3 + 3];
                // Bᵀ d: rows d0 − d2, d1 + d2, d2 − d1, d1 − d3; then each row times B likewise
                inputRow(v, o, xs, d00 - d20, d01 - d21, d02 - d22, d03 - d23);
                inputRow(v, o + 4 * xs, xs, d10 + d20, d11 + d21, d12 + d22, d13 + d23);
                inputRow(v, o + 8 * xs, xs, d20 - d10, d21 - d11, d22 - d12, d23 - d13);
                inputRow(v, o + 12 * xs, xs, d10 - d30, d11 - d31, d12 - d32, d13 - d33);
            }
        }
    }

    private static void inputRow(float[] v, int o, int xs, float r0, float r1, float r2, float r3) {
        v[o] = r0 - r2;
        v[o + xs] = r1 + r2;
        v[o + 2 * xs] = r2 - r1;
        v[o + 3 * xs] = r1 - r3;
    }

    /**
     * The adjoint of {@link #input}: adds B dV_p Bᵀ of the tiles of tile rows [ty0, ty1) into
     * {@code plane} (rows [2·ty0, 2·ty1 + 2) zeroed first), then the plane's part inside the image
     * into dx (h × w at dxOff), or over it when not {@code accumulate} (the tile-row blocks of an
     * image must then come in order). Overlapping tiles add in tile order: fixed bits.
     */
    static void inputAdjoint(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] dv, int dvOff, int xs, int ps,
                             float[] plane, float[] dx, int dxOff, boolean accumulate) {
        int wp = t.wp();
        Arrays.fill(plane, 2 * ty0 * wp, (2 * ty1 + 2) * wp, 0f);
        int o = dvOff;
        for (int ty = ty0; ty < ty1; ty++) {
            for (int tx = 0; tx < t.tw(); tx++, o += ps) {
                // B dV: rows w0 = v0, w1 = v1 − v2 + v3, w2 = −v0 + v1 + v2, w3 = −v3; then each row times Bᵀ
                float v00 = dv[o], v01 = dv[o + xs], v02 = dv[o + 2 * xs], v03 = dv[o + 3 * xs];
                float v10 = dv[o + 4 * xs], v11 = dv[o + 5 * xs], v12 = dv[o + 6 * xs], v13 = dv[o + 7 * xs];
                float v20 = dv[o + 8 * xs], v21 = dv[o + 9 * xs], v22 = dv[o + 10 * xs], v23 = dv[o + 11 * xs];
                float v30 = dv[o + 12 * xs], v31 = dv[o + 13 * xs], v32 = dv[o + 14 * xs], v33 = dv[o + 15 * xs];
                int b = 2 * ty * wp + 2 * tx;
                inputAdjointRow(plane, b, v00, v01, v02, v03);
                inputAdjointRow(plane, b + wp, v10 - v20 + v30, v11 - v21 + v31, v12 - v22 + v32, v13 - v23 + v33);
                inputAdjointRow(plane, b + 2 * wp, v10 + v20 - v00, v11 + v21 - v01, v12 + v22 - v02, v13 + v23 - v03);
                inputAdjointRow(plane, b + 3 * wp, -v30, -v31, -v32, -v33);
            }
        }
        int w = g.w(), pw = g.padW();
        for (int r = 2 * ty0; r < 2 * ty1 + 2; r++) {
            int iy = r - g.padH();
            if (iy < 0 || iy >= g.h()) continue;
            // writing: the first two rows of a later tile-row block were written by the block before
            if (accumulate || (ty0 > 0 && r < 2 * ty0 + 2)) Im2col.addInto(plane, r * wp + pw, dx, dxOff + iy * w, w);
            else System.arraycopy(plane, r * wp + pw, dx, dxOff + iy * w, w);
        }
    }

    /** One row of (B dV) times Bᵀ, added into the plane: [w0, w1 − w2 + w3, w1 + w2 − w0, −w3]. */
    private static void inputAdjointRow(float[] plane, int b, float w0, float w1, float w2, float w3) {
        plane[b] += w0;
        plane[b + 1] += w1 - w2 + w3;
        plane[b + 2] += w1 + w2 - w0;
        plane[b + 3] -= w3;
    }

    // ---- outputs: y = Aᵀ M A + bias (forward), dM = A dy Aᵀ (both gradients) ----

    /**
     * y (oh × ow at yOff) rows of tile rows [ty0, ty1) = Aᵀ M_p A + bias, M_p at m[mOff + ξ·xs + p·ps];
     * outputs past (oh, ow) are dropped.
     */
    static void output(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] m, int mOff, int xs, int ps, float bias,
                       float[] y, int yOff) {
        int oh = g.oh(), ow = g.ow(), o = mOff;
        for (int ty = ty0; ty < ty1; ty++) {
            boolean row1 = 2 * ty + 1 < oh;
            for (int tx = 0; tx < t.tw(); tx++, o += ps) {
                // Aᵀ M: rows t0 = m0 + m1 + m2, t1 = m1 − m2 − m3; then each row times A likewise
                float t00 = m[o] + m[o + 4 * xs] + m[o + 8 * xs], t10 = m[o + 4 * xs] - m[o + 8 * xs] - m[o + 12 * xs];
                float t01 = m[o + xs] + m[o + 5 * xs] + m[o + 9 * xs], t11 = m[o + 5 * xs] - m[o + 9 * xs] - m[o + 13 * xs];
                float t02 = m[o + 2 * xs] + m[o + 6 * xs] + m[o + 10 * xs], t12 = m[o + 6 * xs] - m[o + 10 * xs] - m[o + 14 * xs];
                float t03 = m[o + 3 * xs] + m[o + 7 * xs] + m[o + 11 * xs], t13 = m[o + 7 * xs] - m[o + 11 * xs] - m[o + 15 * xs];
                int ox = 2 * tx, at = yOff + 2 * ty * ow + ox;
                boolean col1 = ox + 1 < ow;
                y[at] = t00 + t01 + t02 + bias;
                if (col1) y[at + 1] = t01 - t02 - t03 + bias;
                if (row1) {
                    y[at + ow] = t10 + t11 + t12 + bias;
                    if (col1) y[at + ow + 1] = t11 - t12 - t13 + bias;
                }
            }
        }
    }

    /**
     * The adjoint of {@link #output}: dm[dmOff + ξ·xs + p·ps] = (A dy_p Aᵀ)[ξ] for the tiles of tile
     * rows [ty0, ty1), dy (oh × ow at dyOff) taken as 0 past (oh, ow).
     */
    static void outputAdjoint(Conv2dGeometry g, Tiles t, int ty0, int ty1, float[] dy, int dyOff, float[] dm, int dmOff,
                              int xs, int ps) {
        int oh = g.oh(), ow = g.ow(), o = dmOff;
        for (int ty = ty0; ty < ty1; ty++) {
            boolean row1 = 2 * ty + 1 < oh;
            for (int tx = 0; tx < t.tw(); tx++, o += ps) {
                int ox = 2 * tx, at = dyOff + 2 * ty * ow + ox;
                boolean col1 = ox + 1 < ow;
                float a = dy[at], b = col1 ? dy[at + 1] : 0f;
                float c = row1 ? dy[at + ow] : 0f, d = row1 && col1 ? dy[at + ow + 1] : 0f;
                // A dy: rows (a, b), (a + c, b + d), (a − c, b − d), (−c, −d); each row (p, q) times Aᵀ: [p, p + q, p − q, −q]
                outputAdjointRow(dm, o, xs, a, b);
                outputAdjointRow(dm, o + 4 * xs, xs, a + c, b + d);
                outputAdjointRow(dm, o + 8 * xs, xs, a - c, b - d);
                outputAdjointRow(dm, o + 12 * xs, xs, -c, -d);
            }
        }
    }

    private static void outputAdjointRow(float[] dm, int o, int xs, float p, float q) {
        dm[o] = p;
        dm[o + xs] = p + q;
        dm[o + 2 * xs] = p - q;
        dm[o + 3 * xs] = -q;
    }
}
