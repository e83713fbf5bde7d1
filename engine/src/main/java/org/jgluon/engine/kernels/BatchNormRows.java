package org.jgluon.engine.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import org.jgluon.engine.Parallel;


/**
 * BatchNorm(+ReLU) on long rows ({@code inner > }{@link BatchNormSegments#MAX_INNER}: the large
 * feature maps, 22×22 and up), one channel at a time. Entry points and the layout are
 * {@link BatchNormKernels}'s.
 *
 * <p>Work is split over channels only, and each channel's sums are taken in one thread in a fixed
 * order, so results are bit-identical for any thread count. Handling a whole channel at a time
 * also keeps it in cache between the statistics pass and the pass that writes the output; that
 * second pass walks the rows in reverse, so the rows read last (still in L2) come first. Both
 * passes walk {@link #ROWS} rows of the channel together (several memory streams in flight).
 *
 * <p>Sums: float vector partials over at most {@link #FLUSH} values of a row, widened into
 * per-lane double sums ({@code Sums}); the statistics are taken around a per-channel shift (the
 * channel's first value) so that {@code Σ(x−k)² − (Σ(x−k))²/m} does not cancel when the mean is
 * large.
 */
final class BatchNormRows {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Values of one row a float vector partial sum covers before it is widened into double. */
    private static final int FLUSH = 1024;
    /**
     * Rows of a channel walked together. A channel is {@code outer} rows of {@code inner} floats
     * far apart (11.7 KB rows 1.1 MB apart for (128, 96, 54, 54)), and one stream at a time stalls
     * at every row start until the prefetcher has caught on; four streams keep four times as many
     * cache misses in flight (that shape, one thread, forward 19.7 → 13.7 ms of CPU time).
     */
    private static final int ROWS = 4;

    /** Each thread's running sums, kept between calls (cleared per channel): no allocation per call. */
    private static final ThreadLocal<Sums> SUMS = ThreadLocal.withInitial(Sums::new);

    private BatchNormRows() {}

    static void forwardTrain(float[] x, int xo, float[] y, int yo, int outer, int channels, int inner,
                             float[] gamma, float[] beta, float eps, boolean relu,
                             float[] mean, float[] var, float[] invStd) {
        final long m = (long) outer * inner;
        final int rowStride = channels * inner;
        Parallel.forRange(channels, 1, (lo, hi) -> {
            Sums acc = SUMS.get();
            for (int c = lo; c < hi; c++) {
                int base = c * inner;
                float k = m == 0 ? 0f : x[xo + base];
                acc.clear();
                int single = outer % ROWS; // rows 0 .. single-1 one at a time, the rest ROWS at a time
                for (int o = 0; o < single; o++) shiftedSums(x, xo + base + o * rowStride, inner, k, acc);
                for (int o = single; o < outer; o += ROWS) {
                    shiftedSums4(x, xo + base + o * rowStride, rowStride, inner, k, acc);
                }
                double d = m == 0 ? 0 : acc.first() / m;
                double v = m == 0 ? 0 : Math.max(0.0, acc.second() / m - d * d);
                double r = 1.0 / Math.sqrt(v + eps);
                mean[c] = (float) (k + d);
                var[c] = (float) v;
                invStd[c] = (float) r;
                float scale = BatchNormKernels.foldedScale(gamma, c, invStd[c]);
                float shift = beta == null ? 0f : beta[c];
                // backwards: the rows read last are still in L2
                for (int o = outer - ROWS; o >= single; o -= ROWS) {
                    int off = base + o * rowStride;
                    affineRows4(x, xo + off, y, yo + off, rowStride, inner, mean[c], scale, shift, relu);
                }
                for (int o = single - 1; o >= 0; o--) {
                    int off = base + o * rowStride;
                    affineRow(x, xo + off, y, yo + off, inner, mean[c], scale, shift, relu);
                }
            }
        });
    }

    static void forwardInference(float[] x, int xo, float[] y, int yo, int outer, int channels, int inner,
                                 float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                 float eps, boolean relu) {
        final int rowStride = channels * inner;
        Parallel.forRange(channels, 1, (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                float scale = BatchNormKernels.foldedScale(gamma, c, BatchNormKernels.inferenceInvStd(runningVar[c], eps));
                float shift = beta == null ? 0f : beta[c];
                int single = outer % ROWS;
                for (int o = 0; o < single; o++) {
                    int off = c * inner + o * rowStride;
                    affineRow(x, xo + off, y, yo + off, inner, runningMean[c], scale, shift, relu);
                }
                for (int o = single; o < outer; o += ROWS) {
                    int off = c * inner + o * rowStride;
                    affineRows4(x, xo + off, y, yo + off, rowStride, inner, runningMean[c], scale, shift, relu);
                }
            }
        });
    }

    static void backward(float[] dz, int dzo, float[] x, int xo, float[] dx, int dxo, boolean accumulate,
                         int outer, int channels, int inner, float[] gamma, float[] beta,
                         float[] mean, float[] invStd,
                         boolean relu, boolean globalStats, float[] dgamma, float[] dbeta) {
        final long m = (long) outer * inner;
        final int rowStride = channels * inner;
        Parallel.forRange(channels, 1, (lo, hi) -> {
            Sums acc = SUMS.get();
            for (int c = lo; c < hi; c++) {
                int base = c * inner;
                float mu = mean[c];
                double gam = gamma == null ? 1.0 : gamma[c];
                float scale = BatchNormKernels.foldedScale(gamma, c, invStd[c]), shift = beta == null ? 0f : beta[c];
                acc.clear();
                int single = outer % ROWS; // as in forwardTrain
                for (int o = 0; o < single; o++) {
                    int off = base + o * rowStride;
                    gradSums(dz, dzo + off, x, xo + off, inner, mu, scale, shift, relu, acc);
                }
                for (int o = single; o < outer; o += ROWS) {
                    int off = base + o * rowStride;
                    gradSums4(dz, dzo + off, x, xo + off, rowStride, inner, mu, scale, shift, relu, acc);
                }
                double r = invStd[c];
                double dBeta = acc.first();
                double dGamma = acc.second() * r;
                dbeta[c] = (float) dBeta;
                dgamma[c] = (float) dGamma;
                if (dx == null) continue;
                double gr = gam * r;
                // dx = a·g + b·(x−μ) + k
                float a = (float) gr;
                float b = globalStats || m == 0 ? 0f : (float) (-gr * r * dGamma / m);
                float k = globalStats || m == 0 ? 0f : (float) (-gr * dBeta / m);
                // backwards: the rows read last are still in L2
                for (int o = outer - ROWS; o >= single; o -= ROWS) {
                    int off = base + o * rowStride;
                    gradRows4(dz, dzo + off, x, xo + off, dx, dxo + off, rowStride, inner, mu, scale, shift, a, b, k,
                            relu, accumulate);
                }
                for (int o = single - 1; o >= 0; o--) {
                    int off = base + o * rowStride;
                    gradRow(dz, dzo + off, x, xo + off, dx, dxo + off, inner, mu, scale, shift, a, b, k,
                            relu, accumulate);
                }
            }
        });
    }

    /**
     * Two running sums for one channel: float vector partials are widened into per-lane double
     * sums with vector adds, and the lanes are added, in lane order, only once per channel. (A
     * horizontal sum in double per block is a 16-add dependency chain; dropping it and splitting
     * the float chains made the in-cache forward about 20 % faster.)
     */
    private static final class Sums {
        private static final VectorSpecies<Double> D =
                VectorSpecies.of(double.class, VectorShape.forBitSize(S.vectorBitSize()));
        private static final int DL = D.length();
        private final double[] lanes1 = new double[L], lanes2 = new double[L];
        /** The scalar tails' sums (elements past the last whole vector of a row). */
        final double[] tail = new double[2];

        void clear() {
            java.util.Arrays.fill(lanes1, 0);
            java.util.Arrays.fill(lanes2, 0);
            tail[0] = 0;
            tail[1] = 0;
        }

        void add(FloatVector p1, FloatVector p2) {
            for (int part = 0; part * DL < L; part++) {
                int o = part * DL;
                DoubleVector.fromArray(D, lanes1, o).add((DoubleVector) p1.convertShape(VectorOperators.F2D, D, part))
                        .intoArray(lanes1, o);
                DoubleVector.fromArray(D, lanes2, o).add((DoubleVector) p2.convertShape(VectorOperators.F2D, D, part))
                        .intoArray(lanes2, o);
            }
        }

        double first() {
            return total(lanes1) + tail[0];
        }

        double second() {
            return total(lanes2) + tail[1];
        }

        private static double total(double[] lanes) {
            double s = 0;
            for (double v : lanes) s += v; // lane order: the same bits for any thread count and JIT tier
            return s;
        }
    }

    // ---- row loops -------------------------------------------------------------------------

    /**
     * Adds {@code Σ(x−k)} and {@code Σ(x−k)²} over {@code x[off, off+len)} into {@code sums}: the
     * vector part per lane into {@link Sums#lanes}, the scalar tail into {@link Sums#tail}.
     */
    private static void shiftedSums(float[] x, int off, int len, float k, Sums sums) {
        FloatVector kv = FloatVector.broadcast(S, k);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(len);
        while (i < upper) {
            int end = Math.min(upper, i + 2 * FLUSH);
            // two chains per sum: the loop is bound by the add/fma latency otherwise
            FloatVector a1 = zero, a2 = zero, b1 = zero, b2 = zero;
            for (; i + L < end; i += 2 * L) {
                FloatVector d = FloatVector.fromArray(S, x, off + i).sub(kv);
                FloatVector e = FloatVector.fromArray(S, x, off + i + L).sub(kv);
                a1 = a1.add(d);
                a2 = d.fma(d, a2);
                b1 = b1.add(e);
                b2 = e.fma(e, b2);
            }
            if (i < end) {
                FloatVector d = FloatVector.fromArray(S, x, off + i).sub(kv);
                a1 = a1.add(d);
                a2 = d.fma(d, a2);
                i += L;
            }
            sums.add(a1.add(b1), a2.add(b2));
        }
        for (; i < len; i++) {
            float d = x[off + i] - k;
            sums.tail[0] += d;
            sums.tail[1] += (double) d * d;
        }
    }

    /** {@code y = (x − mu)·scale + shift}, clamped at 0 when {@code relu}. */
    private static void affineRow(float[] x, int xo, float[] y, int yo, int len,
                                  float mu, float scale, float shift, boolean relu) {
        FloatVector muv = FloatVector.broadcast(S, mu);
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector tv = FloatVector.broadcast(S, shift);
        int i = 0;
        int upper = S.loopBound(len);
        if (relu) {
            FloatVector zero = FloatVector.zero(S);
            for (; i < upper; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(muv).fma(sv, tv);
                v.max(zero).intoArray(y, yo + i);
            }
        } else {
            for (; i < upper; i += L) {
                FloatVector.fromArray(S, x, xo + i).sub(muv).fma(sv, tv).intoArray(y, yo + i);
            }
        }
        for (; i < len; i++) {
            float v = Math.fma(x[xo + i] - mu, scale, shift);
            y[yo + i] = relu ? Math.max(v, 0f) : v;
        }
    }

    /**
     * Adds {@code Σg} and {@code Σg·(x−mu)} into {@code sums}, {@code g = dz}, or with {@code relu}
     * {@code g = dz·[fma(x−mu, scale, shift) > 0]} — the forward's z, recomputed.
     */
    private static void gradSums(float[] dz, int dzo, float[] x, int xo, int len, float mu, float scale,
                                 float shift, boolean relu, Sums sums) {
        FloatVector muv = FloatVector.broadcast(S, mu);
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector tv = FloatVector.broadcast(S, shift);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(len);
        while (i < upper) {
            int end = Math.min(upper, i + 2 * FLUSH);
            FloatVector a1 = zero, a2 = zero, b1 = zero, b2 = zero; // two chains per sum, as in shiftedSums
            for (; i + L < end; i += 2 * L) {
                FloatVector xm = FloatVector.fromArray(S, x, xo + i).sub(muv);
                FloatVector g = FloatVector.fromArray(S, dz, dzo + i);
                FloatVector xn = FloatVector.fromArray(S, x, xo + i + L).sub(muv);
                FloatVector h = FloatVector.fromArray(S, dz, dzo + i + L);
                if (relu) {
                    g = zero.blend(g, xm.fma(sv, tv).compare(VectorOperators.GT, 0f));
                    h = zero.blend(h, xn.fma(sv, tv).compare(VectorOperators.GT, 0f));
                }
                a1 = a1.add(g);
                a2 = g.fma(xm, a2);
                b1 = b1.add(h);
                b2 = h.fma(xn, b2);
            }
            if (i < end) {
                FloatVector xm = FloatVector.fromArray(S, x, xo + i).sub(muv);
                FloatVector g = FloatVector.fromArray(S, dz, dzo + i);
                if (relu) g = zero.blend(g, xm.fma(sv, tv).compare(VectorOperators.GT, 0f));
                a1 = a1.add(g);
                a2 = g.fma(xm, a2);
                i += L;
            }
            sums.add(a1.add(b1), a2.add(b2));
        }
        for (; i < len; i++) {
            float xm = x[xo + i] - mu;
            float g = relu && !(Math.fma(xm, scale, shift) > 0f) ? 0f : dz[dzo + i];
            sums.tail[0] += g;
            sums.tail[1] += (double) g * xm;
        }
    }

    /**
     * {@code dx (+)= a·g + b·(x−mu) + k}, {@code g = dz}, or with {@code relu}
     * {@code g = dz·[fma(x−mu, scale, shift) > 0]} (the forward's z, recomputed: z is not read).
     */
    private static void gradRow(float[] dz, int dzo, float[] x, int xo, float[] dx, int dxo, int len,
                                float mu, float scale, float shift, float a, float b, float k,
                                boolean relu, boolean accumulate) {
        FloatVector muv = FloatVector.broadcast(S, mu);
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector tv = FloatVector.broadcast(S, shift);
        FloatVector av = FloatVector.broadcast(S, a);
        FloatVector bv = FloatVector.broadcast(S, b);
        FloatVector kv = FloatVector.broadcast(S, k);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(len);
        for (; i < upper; i += L) {
            FloatVector xm = FloatVector.fromArray(S, x, xo + i).sub(muv);
            FloatVector g = FloatVector.fromArray(S, dz, dzo + i);
            if (relu) g = zero.blend(g, xm.fma(sv, tv).compare(VectorOperators.GT, 0f));
            FloatVector v = xm.fma(bv, g.fma(av, kv));
            if (accumulate) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        for (; i < len; i++) {
            float xm = x[xo + i] - mu;
            float g = relu && !(Math.fma(xm, scale, shift) > 0f) ? 0f : dz[dzo + i];
            float v = Math.fma(xm, b, Math.fma(g, a, k));
            dx[dxo + i] = accumulate ? dx[dxo + i] + v : v;
        }
    }

    // ---- four rows at a time (ROWS): row r of a group starts at off + r·stride ----------------

    /** {@link #shiftedSums} over four rows together. */
    private static void shiftedSums4(float[] x, int off, int stride, int len, float k, Sums sums) {
        int o1 = off + stride, o2 = o1 + stride, o3 = o2 + stride;
        FloatVector kv = FloatVector.broadcast(S, k);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(len);
        while (i < upper) {
            int end = Math.min(upper, i + FLUSH);
            FloatVector a1 = zero, a2 = zero, b1 = zero, b2 = zero, c1 = zero, c2 = zero, d1 = zero, d2 = zero;
            for (; i < end; i += L) {
                FloatVector p = FloatVector.fromArray(S, x, off + i).sub(kv);
                FloatVector q = FloatVector.fromArray(S, x, o1 + i).sub(kv);
                FloatVector u = FloatVector.fromArray(S, x, o2 + i).sub(kv);
                FloatVector w = FloatVector.fromArray(S, x, o3 + i).sub(kv);
                a1 = a1.add(p);
                a2 = p.fma(p, a2);
                b1 = b1.add(q);
                b2 = q.fma(q, b2);
                c1 = c1.add(u);
                c2 = u.fma(u, c2);
                d1 = d1.add(w);
                d2 = w.fma(w, d2);
            }
            sums.add(a1.add(b1).add(c1.add(d1)), a2.add(b2).add(c2.add(d2)));
        }
        for (; i < len; i++) {
            for (int r = off; r <= o3; r += stride) {
                float d = x[r + i] - k;
                sums.tail[0] += d;
                sums.tail[1] += (double) d * d;
            }
        }
    }

    /** {@link #affineRow} over four rows together. */
    private static void affineRows4(float[] x, int xo, float[] y, int yo, int stride, int len,
                                    float mu, float scale, float shift, boolean relu) {
        FloatVector muv = FloatVector.broadcast(S, mu);
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector tv = FloatVector.broadcast(S, shift);
        FloatVector zero = FloatVector.zero(S);
        int upper = S.loopBound(len);
        for (int i = 0; i < upper; i += L) {
            for (int r = 0, off = 0; r < ROWS; r++, off += stride) { // unrolled by C2: four streams in flight
                FloatVector v = FloatVector.fromArray(S, x, xo + off + i).sub(muv).fma(sv, tv);
                if (relu) v = v.max(zero);
                v.intoArray(y, yo + off + i);
            }
        }
        for (int r = 0, off = 0; r < ROWS; r++, off += stride) {
            for (int i = upper; i < len; i++) {
                float v = Math.fma(x[xo + off + i] - mu, scale, shift);
                y[yo + off + i] = relu ? Math.max(v, 0f) : v;
            }
        }
    }

    /** {@link #gradSums} over four rows together. */
    private static void gradSums4(float[] dz, int dzo, float[] x, int xo, int stride, int len, float mu, float scale,
                                  float shift, boolean relu, Sums sums) {
        FloatVector muv = FloatVector.broadcast(S, mu);
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector tv = FloatVector.broadcast(S, shift);
        FloatVector zero = FloatVector.zero(S);
        int x1 = xo + stride, x2 = x1 + stride, x3 = x2 + stride;
        int g1 = dzo + stride, g2 = g1 + stride, g3 = g2 + stride;
        int i = 0;
        int upper = S.loopBound(len);
        while (i < upper) {
            int end = Math.min(upper, i + FLUSH);
            FloatVector a1 = zero, a2 = zero, b1 = zero, b2 = zero, c1 = zero, c2 = zero, d1 = zero, d2 = zero;
            for (; i < end; i += L) {
                FloatVector xp = FloatVector.fromArray(S, x, xo + i).sub(muv);
                FloatVector xq = FloatVector.fromArray(S, x, x1 + i).sub(muv);
                FloatVector xu = FloatVector.fromArray(S, x, x2 + i).sub(muv);
                FloatVector xw = FloatVector.fromArray(S, x, x3 + i).sub(muv);
                FloatVector gp = FloatVector.fromArray(S, dz, dzo + i);
                FloatVector gq = FloatVector.fromArray(S, dz, g1 + i);
                FloatVector gu = FloatVector.fromArray(S, dz, g2 + i);
                FloatVector gw = FloatVector.fromArray(S, dz, g3 + i);
                if (relu) {
                    gp = zero.blend(gp, xp.fma(sv, tv).compare(VectorOperators.GT, 0f));
                    gq = zero.blend(gq, xq.fma(sv, tv).compare(VectorOperators.GT, 0f));
                    gu = zero.blend(gu, xu.fma(sv, tv).compare(VectorOperators.GT, 0f));
                    gw = zero.blend(gw, xw.fma(sv, tv).compare(VectorOperators.GT, 0f));
                }
                a1 = a1.add(gp);
                a2 = gp.fma(xp, a2);
                b1 = b1.add(gq);
                b2 = gq.fma(xq, b2);
                c1 = c1.add(gu);
                c2 = gu.fma(xu, c2);
                d1 = d1.add(gw);
                d2 = gw.fma(xw, d2);
            }
            sums.add(a1.add(b1).add(c1.add(d1)), a2.add(b2).add(c2.add(d2)));
        }
        for (; i < len; i++) {
            for (int r = 0; r < ROWS; r++) {
                float xm = x[xo + r * stride + i] - mu;
                float g = relu && !(Math.fma(xm, scale, shift) > 0f) ? 0f : dz[dzo + r * stride + i];
                sums.tail[0] += g;
                sums.tail[1] += (double) g * xm;
            }
        }
    }

    /** {@link #gradRow} over four rows together. */
    private static void gradRows4(float[] dz, int dzo, float[] x, int xo, float[] dx, int dxo, int stride, int len,
                                  float mu, float scale, float shift, float a, float b, float k,
                                  boolean relu, boolean accumulate) {
        FloatVector muv = FloatVector.broadcast(S, mu);
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector tv = FloatVector.broadcast(S, shift);
        FloatVector av = FloatVector.broadcast(S, a);
        FloatVector bv = FloatVector.broadcast(S, b);
        FloatVector kv = FloatVector.broadcast(S, k);
        FloatVector zero = FloatVector.zero(S);
        int upper = S.loopBound(len);
        for (int i = 0; i < upper; i += L) {
            for (int r = 0, off = 0; r < ROWS; r++, off += stride) { // unrolled by C2: four streams in flight
                FloatVector xm = FloatVector.fromArray(S, x, xo + off + i).sub(muv);
                FloatVector g = FloatVector.fromArray(S, dz, dzo + off + i);
                if (relu) g = zero.blend(g, xm.fma(sv, tv).compare(VectorOperators.GT, 0f));
                FloatVector v = xm.fma(bv, g.fma(av, kv));
                if (accumulate) v = v.add(FloatVector.fromArray(S, dx, dxo + off + i));
                v.intoArray(dx, dxo + off + i);
            }
        }
        for (int r = 0, off = 0; r < ROWS; r++, off += stride) {
            for (int i = upper; i < len; i++) {
                float xm = x[xo + off + i] - mu;
                float g = relu && !(Math.fma(xm, scale, shift) > 0f) ? 0f : dz[dzo + off + i];
                float v = Math.fma(xm, b, Math.fma(g, a, k));
                dx[dxo + off + i] = accumulate ? dx[dxo + off + i] + v : v;
            }
        }
    }
}
