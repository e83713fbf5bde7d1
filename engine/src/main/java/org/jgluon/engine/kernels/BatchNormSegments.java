package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.jgluon.engine.Parallel;

/**
 * BatchNorm(+ReLU) on short rows: {@code inner <= }{@link #MAX_INNER}, which includes the 2-D
 * {@code (N, C)} input ({@code inner = 1}) and the small feature maps (4×4, 10×10). Entry points
 * and the layout are {@link BatchNormKernels}'s.
 *
 * <p>Why a path of its own: walking one channel at a time, a row of such a channel is 64–400
 * bytes, one per {@code channels·inner} floats, so every load is a fresh cache miss the
 * prefetcher never sees coming (≈ 1 ns per float once the tensor is out of L2, 4× the whole
 * kernel's arithmetic), and the per-row set-up and widening of the sums cost as much again.
 * Here a <b>block</b> of {@code B} neighbouring channels is handled together: in row {@code o}
 * its data is one contiguous <b>segment</b> of {@code B·inner} floats (about 4 KB), walked four
 * rows at a time. The sums are kept <b>per element of the segment</b> (float arrays, one vector
 * add per vector of data, no horizontal work), and every {@link #WINDOW} rows each channel's
 * {@code inner} partials are widened into its double sums, in element order. The per-channel
 * constants are expanded to per-element arrays once per block, so the vector loops never look
 * at channel boundaries (a vector may span two channels). A block's rows of one tensor are
 * at most about 512 KB, so the second pass finds them in L2 or L3.
 *
 * <p>Each channel's sums depend only on the shape (rows in order, the fixed windows, element
 * order), not on the block size or the thread split: results are bit-identical for any thread
 * count. The per-thread scratch arrays are kept ({@link Scratch}): no allocation per call.
 */
final class BatchNormSegments {

    /**
     * Rows at most this long take this path; longer ones the per-channel row path (BatchNormRows).
     * At 22×22 (484) the row path was a little faster (one thread, CPU time: backward 6.3 vs 6.6 ms).
     */
    static final int MAX_INNER = 256;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Rows walked together (several memory streams in flight, as in BatchNormRows). */
    private static final int ROWS = 4;
    /** Rows whose float partials are summed per element before they are widened into double. */
    private static final int WINDOW = 64;
    /**
     * Floats of one tensor a block's rows may span (512 KB). Measured at (128, 256, 10, 10), one
     * thread, backward: segments of 100 floats (one channel) 5.4 ms, 200: 5.5, 400: 3.2, 800: 3.0,
     * 2000: 3.1 — a segment must be long enough for the prefetcher; beyond that L2 reuse matters less.
     */
    private static final int BLOCK_FLOATS = 1 << 17;

    private BatchNormSegments() {}

    /**
     * Channels per block: segments of about 1024 floats (at least 256; fewer when {@code outer}
     * is large, so that a block's rows stay near {@link #BLOCK_FLOATS}), a multiple
     * of what makes the segment a whole number of vectors where possible, and at least eight
     * blocks when there are enough channels for that (work for every thread). Depends on the
     * shape only.
     */
    static int blockChannels(int outer, int channels, int inner) {
        int target = Math.clamp(BLOCK_FLOATS / Math.max(outer, 1), 256, 1024);
        int whole = L / gcd(inner, L); // channels per whole number of vectors
        // eight blocks or more, unless that would cut the segments below a whole vector
        int b = Math.max(1, Math.min(target / Math.max(inner, 1), Math.max(channels / 8, whole)));
        if (b >= whole) b = b / whole * whole;
        return Math.min(b, Math.max(channels, 1));
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Per-thread arrays, grown on demand and kept (the pool's threads live as long as the process). */
    private static final class Scratch {
        float[] s1 = new float[0], s2 = new float[0];        // per-element float partial sums
        float[] e1 = new float[0], e2 = new float[0], e3 = new float[0]; // per-element constants
        float[] e4 = new float[0], e5 = new float[0], e6 = new float[0];
        double[] d1 = new double[0], d2 = new double[0];     // per-channel double sums

        Scratch ensure(int seg, int block) {
            if (s1.length < seg) {
                s1 = new float[seg];
                s2 = new float[seg];
                e1 = new float[seg];
                e2 = new float[seg];
                e3 = new float[seg];
                e4 = new float[seg];
                e5 = new float[seg];
                e6 = new float[seg];
            }
            if (d1.length < block) {
                d1 = new double[block];
                d2 = new double[block];
            }
            return this;
        }

        /** Zeroes the partial and channel sums of a block. */
        void clear(int seg, int block) {
            java.util.Arrays.fill(s1, 0, seg, 0f);
            java.util.Arrays.fill(s2, 0, seg, 0f);
            java.util.Arrays.fill(d1, 0, block, 0);
            java.util.Arrays.fill(d2, 0, block, 0);
        }

        /** Adds each channel's {@code inner} float partials into its double sums, in element order, and zeroes them. */
        void widen(int seg, int inner) {
            for (int j = 0, c = 0; j < seg; c++) {
                double a = d1[c], b = d2[c];
                for (int end = j + inner; j < end; j++) {
                    a += s1[j];
                    b += s2[j];
                }
                d1[c] = a;
                d2[c] = b;
            }
            java.util.Arrays.fill(s1, 0, seg, 0f);
            java.util.Arrays.fill(s2, 0, seg, 0f);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** {@code e[(c−c0)·inner + i] = v[c]} (or {@code fallback} when {@code v == null}) for the block's channels. */
    private static void expand(float[] v, float fallback, int c0, int c1, int inner, float[] e) {
        for (int c = c0, j = 0; c < c1; c++, j += inner) java.util.Arrays.fill(e, j, j + inner, v == null ? fallback : v[c]);
    }

    /** Rows of pass one, counted: the partial sums are widened after every WINDOW of them. */
    private static int counted(int rows, Scratch s, int seg, int inner) {
        if (rows < WINDOW) return rows;
        s.widen(seg, inner);
        return 0;
    }

    // ---- the three operations ------------------------------------------------------------------

    static void forwardTrain(float[] x, int xo, float[] y, int yo, int outer, int channels, int inner,
                             float[] gamma, float[] beta, float eps, boolean relu,
                             float[] mean, float[] var, float[] invStd) {
        final long m = (long) outer * inner;
        final int rowStride = channels * inner;
        final int block = blockChannels(outer, channels, inner);
        Parallel.forBlocks(channels, block, (c0, c1) -> {
            int seg = (c1 - c0) * inner;
            Scratch s = SCRATCH.get().ensure(seg, c1 - c0);
            s.clear(seg, c1 - c0);
            float[] k = s.e1;
            for (int c = c0, j = 0; c < c1; c++, j += inner) {
                java.util.Arrays.fill(k, j, j + inner, m == 0 ? 0f : x[xo + c * inner]); // shift: the channel's first value
            }
            // pass one: the first outer % ROWS rows one at a time, then ROWS at a time
            int base = xo + c0 * inner, single = outer % ROWS;
            for (int o = 0, rows = 0; o < outer; rows = counted(rows, s, seg, inner)) {
                int off = base + o * rowStride;
                if (o < single) {
                    shiftedSums(x, off, seg, k, s.s1, s.s2);
                    o++;
                    rows++;
                } else {
                    shiftedSums4(x, off, rowStride, seg, k, s.s1, s.s2);
                    o += ROWS;
                    rows += ROWS;
                }
            }
            s.widen(seg, inner);
            float[] mu = s.e2, scale = s.e3, shift = s.e4;
            for (int c = c0, j = 0; c < c1; c++, j += inner) {
                double d = m == 0 ? 0 : s.d1[c - c0] / m;
                double v = m == 0 ? 0 : Math.max(0.0, s.d2[c - c0] / m - d * d);
                mean[c] = (float) (k[j] + d);
                var[c] = (float) v;
                invStd[c] = (float) (1.0 / Math.sqrt(v + eps));
                java.util.Arrays.fill(mu, j, j + inner, mean[c]);
                java.util.Arrays.fill(scale, j, j + inner, BatchNormKernels.foldedScale(gamma, c, invStd[c]));
                java.util.Arrays.fill(shift, j, j + inner, beta == null ? 0f : beta[c]);
            }
            // pass two: rows in reverse (the rows read last are still in cache), then the single ones
            int yBase = yo - xo;
            for (int o = outer - ROWS; o >= single; o -= ROWS) {
                int off = base + o * rowStride;
                affine4(x, off, y, off + yBase, rowStride, seg, mu, scale, shift, relu);
            }
            for (int o = single - 1; o >= 0; o--) {
                int off = base + o * rowStride;
                affine(x, off, y, off + yBase, seg, mu, scale, shift, relu);
            }
        });
    }

    static void forwardInference(float[] x, int xo, float[] y, int yo, int outer, int channels, int inner,
                                 float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                 float eps, boolean relu) {
        final int rowStride = channels * inner;
        final int block = blockChannels(outer, channels, inner);
        Parallel.forBlocks(channels, block, (c0, c1) -> {
            int seg = (c1 - c0) * inner;
            Scratch s = SCRATCH.get().ensure(seg, c1 - c0);
            float[] mu = s.e1, scale = s.e2, shift = s.e3;
            expand(runningMean, 0f, c0, c1, inner, mu);
            expand(beta, 0f, c0, c1, inner, shift);
            for (int c = c0, j = 0; c < c1; c++, j += inner) {
                float sc = BatchNormKernels.foldedScale(gamma, c, BatchNormKernels.inferenceInvStd(runningVar[c], eps));
                java.util.Arrays.fill(scale, j, j + inner, sc);
            }
            int yBase = yo - xo, single = outer % ROWS;
            for (int o = 0; o < outer; o += o < single ? 1 : ROWS) {
                int off = xo + c0 * inner + o * rowStride;
                if (o >= single) affine4(x, off, y, off + yBase, rowStride, seg, mu, scale, shift, relu);
                else affine(x, off, y, off + yBase, seg, mu, scale, shift, relu);
            }
        });
    }

    static void backward(float[] dz, int dzo, float[] x, int xo, float[] dx, int dxo, boolean accumulate,
                         int outer, int channels, int inner, float[] gamma, float[] beta,
                         float[] mean, float[] invStd,
                         boolean relu, boolean globalStats, float[] dgamma, float[] dbeta) {
        final long m = (long) outer * inner;
        final int rowStride = channels * inner;
        final int block = blockChannels(outer, channels, inner);
        Parallel.forBlocks(channels, block, (c0, c1) -> {
            int seg = (c1 - c0) * inner;
            Scratch s = SCRATCH.get().ensure(seg, c1 - c0);
            s.clear(seg, c1 - c0);
            float[] mu = s.e1, scale = s.e2, shift = s.e3;
            expand(mean, 0f, c0, c1, inner, mu);
            expand(beta, 0f, c0, c1, inner, shift);
            for (int c = c0, j = 0; c < c1; c++, j += inner) {
                java.util.Arrays.fill(scale, j, j + inner, BatchNormKernels.foldedScale(gamma, c, invStd[c]));
            }
            int gBase = dzo - xo; // dz's offset of the same element
            int base = xo + c0 * inner, single = outer % ROWS; // pass one as in forwardTrain
            for (int o = 0, rows = 0; o < outer; rows = counted(rows, s, seg, inner)) {
                int off = base + o * rowStride;
                if (o < single) {
                    gradSums(dz, off + gBase, x, off, seg, mu, scale, shift, relu, s.s1, s.s2);
                    o++;
                    rows++;
                } else {
                    gradSums4(dz, off + gBase, x, off, rowStride, seg, mu, scale, shift, relu, s.s1, s.s2);
                    o += ROWS;
                    rows += ROWS;
                }
            }
            s.widen(seg, inner);
            float[] a = s.e4, b = s.e5, k = s.e6;
            for (int c = c0, j = 0; c < c1; c++, j += inner) {
                double r = invStd[c];
                double dBeta = s.d1[c - c0];
                double dGamma = s.d2[c - c0] * r;
                dbeta[c] = (float) dBeta;
                dgamma[c] = (float) dGamma;
                double gr = (gamma == null ? 1.0 : gamma[c]) * r;
                // dx = a·g + b·(x−μ) + k, as in BatchNormRows
                java.util.Arrays.fill(a, j, j + inner, (float) gr);
                java.util.Arrays.fill(b, j, j + inner, globalStats || m == 0 ? 0f : (float) (-gr * r * dGamma / m));
                java.util.Arrays.fill(k, j, j + inner, globalStats || m == 0 ? 0f : (float) (-gr * dBeta / m));
            }
            if (dx == null) return;
            int dBase = dxo - xo; // pass two as in forwardTrain
            for (int o = outer - ROWS; o >= single; o -= ROWS) {
                int off = base + o * rowStride;
                gradRows4(dz, off + gBase, x, off, dx, off + dBase, rowStride, seg, mu, scale, shift, a, b, k, relu,
                        accumulate);
            }
            for (int o = single - 1; o >= 0; o--) {
                int off = base + o * rowStride;
                gradRow(dz, off + gBase, x, off, dx, off + dBase, seg, mu, scale, shift, a, b, k, relu, accumulate);
            }
        });
    }

    // ---- segment loops: element j of a segment uses the constants e[j] and the partials s[j] ----

    /** {@code s1 += x − k}, {@code s2 += (x − k)²} over one segment. */
    private static void shiftedSums(float[] x, int off, int len, float[] k, float[] s1, float[] s2) {
        int i = 0;
        for (int upper = S.loopBound(len); i < upper; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, off + i).sub(FloatVector.fromArray(S, k, i));
            FloatVector.fromArray(S, s1, i).add(d).intoArray(s1, i);
            d.fma(d, FloatVector.fromArray(S, s2, i)).intoArray(s2, i);
        }
        for (; i < len; i++) {
            float d = x[off + i] - k[i];
            s1[i] += d;
            s2[i] = Math.fma(d, d, s2[i]);
        }
    }

    /** {@link #shiftedSums} over four rows {@code stride} apart. */
    private static void shiftedSums4(float[] x, int off, int stride, int len, float[] k, float[] s1, float[] s2) {
        int o1 = off + stride, o2 = o1 + stride, o3 = o2 + stride;
        int i = 0;
        for (int upper = S.loopBound(len); i < upper; i += L) {
            FloatVector kv = FloatVector.fromArray(S, k, i);
            FloatVector p = FloatVector.fromArray(S, x, off + i).sub(kv);
            FloatVector q = FloatVector.fromArray(S, x, o1 + i).sub(kv);
            FloatVector u = FloatVector.fromArray(S, x, o2 + i).sub(kv);
            FloatVector w = FloatVector.fromArray(S, x, o3 + i).sub(kv);
            FloatVector.fromArray(S, s1, i).add(p.add(q).add(u.add(w))).intoArray(s1, i);
            FloatVector.fromArray(S, s2, i).add(p.fma(p, q.mul(q)).add(u.fma(u, w.mul(w)))).intoArray(s2, i);
        }
        for (; i < len; i++) {
            float kk = k[i];
            float p = x[off + i] - kk, q = x[o1 + i] - kk, u = x[o2 + i] - kk, w = x[o3 + i] - kk;
            s1[i] += (p + q) + (u + w);
            s2[i] += Math.fma(p, p, q * q) + Math.fma(u, u, w * w);
        }
    }

    /** {@code y = (x − mu)·scale + shift}, clamped at 0 when {@code relu}, over one segment. */
    private static void affine(float[] x, int xo, float[] y, int yo, int len, float[] mu, float[] scale,
                               float[] shift, boolean relu) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int upper = S.loopBound(len); i < upper; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(FloatVector.fromArray(S, mu, i))
                    .fma(FloatVector.fromArray(S, scale, i), FloatVector.fromArray(S, shift, i));
            if (relu) v = v.max(zero);
            v.intoArray(y, yo + i);
        }
        for (; i < len; i++) {
            float v = Math.fma(x[xo + i] - mu[i], scale[i], shift[i]);
            y[yo + i] = relu ? Math.max(v, 0f) : v;
        }
    }

    /** {@link #affine} over four rows {@code stride} apart. */
    private static void affine4(float[] x, int xo, float[] y, int yo, int stride, int len, float[] mu,
                                float[] scale, float[] shift, boolean relu) {
        FloatVector zero = FloatVector.zero(S);
        int upper = S.loopBound(len);
        for (int i = 0; i < upper; i += L) {
            FloatVector mv = FloatVector.fromArray(S, mu, i);
            FloatVector sv = FloatVector.fromArray(S, scale, i);
            FloatVector tv = FloatVector.fromArray(S, shift, i);
            for (int r = 0, off = 0; r < ROWS; r++, off += stride) { // unrolled by C2: four streams in flight
                FloatVector v = FloatVector.fromArray(S, x, xo + off + i).sub(mv).fma(sv, tv);
                if (relu) v = v.max(zero);
                v.intoArray(y, yo + off + i);
            }
        }
        for (int r = 0, off = 0; r < ROWS; r++, off += stride) {
            for (int i = upper; i < len; i++) {
                float v = Math.fma(x[xo + off + i] - mu[i], scale[i], shift[i]);
                y[yo + off + i] = relu ? Math.max(v, 0f) : v;
            }
        }
    }

    /**
     * {@code s1 += g}, {@code s2 += g·(x − mu)} over one segment, {@code g = dz}, or with
     * {@code relu} {@code g = dz·[fma(x − mu, scale, shift) > 0]} (the forward's z, recomputed).
     */
    private static void gradSums(float[] dz, int dzo, float[] x, int xo, int len, float[] mu, float[] scale,
                                 float[] shift, boolean relu, float[] s1, float[] s2) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int upper = S.loopBound(len); i < upper; i += L) {
            FloatVector xm = FloatVector.fromArray(S, x, xo + i).sub(FloatVector.fromArray(S, mu, i));
            FloatVector g = FloatVector.fromArray(S, dz, dzo + i);
            if (relu) {
                FloatVector z = xm.fma(FloatVector.fromArray(S, scale, i), FloatVector.fromArray(S, shift, i));
                g = zero.blend(g, z.compare(VectorOperators.GT, 0f));
            }
            FloatVector.fromArray(S, s1, i).add(g).intoArray(s1, i);
            g.fma(xm, FloatVector.fromArray(S, s2, i)).intoArray(s2, i);
        }
        for (; i < len; i++) {
            float xm = x[xo + i] - mu[i];
            float g = relu && !(Math.fma(xm, scale[i], shift[i]) > 0f) ? 0f : dz[dzo + i];
            s1[i] += g;
            s2[i] = Math.fma(g, xm, s2[i]);
        }
    }

    /** {@link #gradSums} over four rows {@code stride} apart. */
    private static void gradSums4(float[] dz, int dzo, float[] x, int xo, int stride, int len, float[] mu,
                                  float[] scale, float[] shift, boolean relu, float[] s1, float[] s2) {
        FloatVector zero = FloatVector.zero(S);
        int x1 = xo + stride, x2 = x1 + stride, x3 = x2 + stride;
        int g1 = dzo + stride, g2 = g1 + stride, g3 = g2 + stride;
        int i = 0;
        for (int upper = S.loopBound(len); i < upper; i += L) {
            FloatVector mv = FloatVector.fromArray(S, mu, i);
            FloatVector xp = FloatVector.fromArray(S, x, xo + i).sub(mv);
            FloatVector xq = FloatVector.fromArray(S, x, x1 + i).sub(mv);
            FloatVector xu = FloatVector.fromArray(S, x, x2 + i).sub(mv);
            FloatVector xw = FloatVector.fromArray(S, x, x3 + i).sub(mv);
            FloatVector gp = FloatVector.fromArray(S, dz, dzo + i);
            FloatVector gq = FloatVector.fromArray(S, dz, g1 + i);
            FloatVector gu = FloatVector.fromArray(S, dz, g2 + i);
            FloatVector gw = FloatVector.fromArray(S, dz, g3 + i);
            if (relu) {
                FloatVector sv = FloatVector.fromArray(S, scale, i), tv = FloatVector.fromArray(S, shift, i);
                gp = zero.blend(gp, xp.fma(sv, tv).compare(VectorOperators.GT, 0f));
                gq = zero.blend(gq, xq.fma(sv, tv).compare(VectorOperators.GT, 0f));
                gu = zero.blend(gu, xu.fma(sv, tv).compare(VectorOperators.GT, 0f));
                gw = zero.blend(gw, xw.fma(sv, tv).compare(VectorOperators.GT, 0f));
            }
            FloatVector.fromArray(S, s1, i).add(gp.add(gq).add(gu.add(gw))).intoArray(s1, i);
            FloatVector.fromArray(S, s2, i).add(gp.fma(xp, gq.mul(xq)).add(gu.fma(xu, gw.mul(xw)))).intoArray(s2, i);
        }
        for (; i < len; i++) {
            float m = mu[i], sc = scale[i], sh = shift[i];
            float xp = x[xo + i] - m, xq = x[x1 + i] - m, xu = x[x2 + i] - m, xw = x[x3 + i] - m;
            float gp = relu && !(Math.fma(xp, sc, sh) > 0f) ? 0f : dz[dzo + i];
            float gq = relu && !(Math.fma(xq, sc, sh) > 0f) ? 0f : dz[g1 + i];
            float gu = relu && !(Math.fma(xu, sc, sh) > 0f) ? 0f : dz[g2 + i];
            float gw = relu && !(Math.fma(xw, sc, sh) > 0f) ? 0f : dz[g3 + i];
            s1[i] += (gp + gq) + (gu + gw);
            s2[i] += Math.fma(gp, xp, gq * xq) + Math.fma(gu, xu, gw * xw);
        }
    }

    /** {@code dx (+)= a·g + b·(x − mu) + k} over one segment, g as in {@link #gradSums}. */
    private static void gradRow(float[] dz, int dzo, float[] x, int xo, float[] dx, int dxo, int len, float[] mu,
                                float[] scale, float[] shift, float[] a, float[] b, float[] k,
                                boolean relu, boolean accumulate) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int upper = S.loopBound(len); i < upper; i += L) {
            FloatVector xm = FloatVector.fromArray(S, x, xo + i).sub(FloatVector.fromArray(S, mu, i));
            FloatVector g = FloatVector.fromArray(S, dz, dzo + i);
            if (relu) {
                FloatVector z = xm.fma(FloatVector.fromArray(S, scale, i), FloatVector.fromArray(S, shift, i));
                g = zero.blend(g, z.compare(VectorOperators.GT, 0f));
            }
            FloatVector v = xm.fma(FloatVector.fromArray(S, b, i),
                    g.fma(FloatVector.fromArray(S, a, i), FloatVector.fromArray(S, k, i)));
            if (accumulate) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        for (; i < len; i++) {
            float xm = x[xo + i] - mu[i];
            float g = relu && !(Math.fma(xm, scale[i], shift[i]) > 0f) ? 0f : dz[dzo + i];
            float v = Math.fma(xm, b[i], Math.fma(g, a[i], k[i]));
            dx[dxo + i] = accumulate ? dx[dxo + i] + v : v;
        }
    }

    /** {@link #gradRow} over four rows {@code stride} apart. */
    private static void gradRows4(float[] dz, int dzo, float[] x, int xo, float[] dx, int dxo, int stride, int len,
                                  float[] mu, float[] scale, float[] shift, float[] a, float[] b, float[] k,
                                  boolean relu, boolean accumulate) {
        FloatVector zero = FloatVector.zero(S);
        int upper = S.loopBound(len);
        for (int i = 0; i < upper; i += L) {
            FloatVector mv = FloatVector.fromArray(S, mu, i);
            FloatVector sv = FloatVector.fromArray(S, scale, i), tv = FloatVector.fromArray(S, shift, i);
            FloatVector av = FloatVector.fromArray(S, a, i), bv = FloatVector.fromArray(S, b, i);
            FloatVector kv = FloatVector.fromArray(S, k, i);
            for (int r = 0, off = 0; r < ROWS; r++, off += stride) { // unrolled by C2: four streams in flight
                FloatVector xm = FloatVector.fromArray(S, x, xo + off + i).sub(mv);
                FloatVector g = FloatVector.fromArray(S, dz, dzo + off + i);
                if (relu) g = zero.blend(g, xm.fma(sv, tv).compare(VectorOperators.GT, 0f));
                FloatVector v = xm.fma(bv, g.fma(av, kv));
                if (accumulate) v = v.add(FloatVector.fromArray(S, dx, dxo + off + i));
                v.intoArray(dx, dxo + off + i);
            }
        }
        for (int r = 0, off = 0; r < ROWS; r++, off += stride) {
            for (int i = upper; i < len; i++) {
                float xm = x[xo + off + i] - mu[i];
                float g = relu && !(Math.fma(xm, scale[i], shift[i]) > 0f) ? 0f : dz[dzo + off + i];
                float v = Math.fma(xm, b[i], Math.fma(g, a[i], k[i]));
                dx[dxo + off + i] = accumulate ? dx[dxo + off + i] + v : v;
            }
        }
    }
}
