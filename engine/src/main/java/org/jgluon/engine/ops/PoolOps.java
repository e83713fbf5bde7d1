package org.jgluon.engine.ops;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradTarget;
import org.jgluon.engine.kernels.Pool2dAvgKernels;
import org.jgluon.engine.kernels.Pool2dGeometry;
import org.jgluon.engine.kernels.Pool2dKernels;
import org.jgluon.engine.memory.BufferPool;

/**
 * Pooling with autograd (MXNet {@code Pooling}, NCHW). Window sizes, strides and paddings are
 * (h, w) pairs; a one-element array stands for both axes. Output extent as MXNet:
 * {@code OH = 1 + (H + 2·padH − kh) / strideH}, rounded down, or up with {@code ceilMode}.
 */
public final class PoolOps {

    private PoolOps() {}

    /**
     * Max pooling. Padding never wins; ties go to the first maximum in row-major window order.
     * <pre>
     *   x (N, C, H, W) → y (N, C, OH, OW)
     *   backward(dy): needs the winner of each window (its plane offset, an int per output, saved
     *   only when recording) → dx[winner] += dy
     * </pre>
     */
    public static Tensor maxPool2d(Tensor x, int[] pool, int[] stride, int[] padding, boolean ceilMode) {
        Pool2dGeometry g = geometry("maxPool2d", x, pool, stride, padding, ceilMode);
        return maxPool(g, x, "maxPool2d");
    }

    /**
     * Average pooling; the divisor is the window's area within the padded input
     * ({@code countIncludePad}, MXNet's default) or its count of real input elements.
     * <pre>
     *   x (N, C, H, W) → y (N, C, OH, OW)
     *   backward(dy): needs only the geometry → dx[window] += dy / divisor
     * </pre>
     */
    public static Tensor avgPool2d(Tensor x, int[] pool, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        Pool2dGeometry g = geometry("avgPool2d", x, pool, stride, padding, ceilMode);
        return avgPool(g, x, countIncludePad, "avgPool2d");
    }

    /** x (N, C, H, W) → (N, C, 1, 1), the mean of each plane; backward spreads dy / (H·W). */
    public static Tensor globalAvgPool2d(Tensor x) {
        Shapes.requireNdim("globalAvgPool2d", "x (N, C, H, W)", x, 4);
        return avgPool(Pool2dGeometry.global(x.dim(0), x.dim(1), x.dim(2), x.dim(3)), x, true, "globalAvgPool2d");
    }

    /** x (N, C, H, W) → (N, C, 1, 1), the max of each plane; backward routes dy to the first maximum. */
    public static Tensor globalMaxPool2d(Tensor x) {
        Shapes.requireNdim("globalMaxPool2d", "x (N, C, H, W)", x, 4);
        return maxPool(Pool2dGeometry.global(x.dim(0), x.dim(1), x.dim(2), x.dim(3)), x, "globalMaxPool2d");
    }

    private static Tensor maxPool(Pool2dGeometry g, Tensor x, String op) {
        Tensor y = Tensor.pooled(g.n(), g.c(), g.oh(), g.ow()); // the kernel writes every element
        int[] winners = Autograd.wouldRecord(x) ? BufferPool.takeInts(y.size()) : null; // the kernel writes every one
        Pool2dKernels.maxForward(g, x.data(), x.offset(), y.data(), y.offset(), winners);
        Autograd.recordOp(op, y, dy -> {
            GradTarget dx = x.gradTarget(); // written (each plane zeroed, then its winners) when it is x's first
            Pool2dKernels.maxBackward(g, winners, dy.data(), dy.offset(), dx.data(), dx.offset(), dx.accumulate());
        }, x);
        Autograd.keepUntilBackward(y, winners);
        return y;
    }

    private static Tensor avgPool(Pool2dGeometry g, Tensor x, boolean countIncludePad, String op) {
        Tensor y = Tensor.pooled(g.n(), g.c(), g.oh(), g.ow()); // the kernel writes every element
        Pool2dAvgKernels.forward(g, countIncludePad, x.data(), x.offset(), y.data(), y.offset());
        return Autograd.recordOp(op, y, dy -> {
            GradTarget dx = x.gradTarget();
            Pool2dAvgKernels.backward(g, countIncludePad, dy.data(), dy.offset(), dx.data(), dx.offset(), dx.accumulate());
        }, x);
    }

    private static Pool2dGeometry geometry(String op, Tensor x, int[] pool, int[] stride, int[] padding,
                                           boolean ceilMode) {
        if (x == null) throw new IllegalArgumentException(op + ": x must not be null");
        Shapes.requireNdim(op, "x (N, C, H, W)", x, 4);
        int[] k = ConvOps.pair(op, "pool size", pool), s = ConvOps.pair(op, "stride", stride);
        int[] p = ConvOps.pair(op, "padding", padding);
        if (k[0] <= 0 || k[1] <= 0) throw new IllegalArgumentException(op + ": pool size must be positive, got " + Shapes.str(k));
        if (s[0] <= 0 || s[1] <= 0) throw new IllegalArgumentException(op + ": stride must be positive, got " + Shapes.str(s));
        if (p[0] < 0 || p[1] < 0) throw new IllegalArgumentException(op + ": padding must be ≥ 0, got " + Shapes.str(p));
        int h = x.dim(2), w = x.dim(3);
        if (k[0] > h + 2 * p[0] || k[1] > w + 2 * p[1]) {
            throw new IllegalArgumentException(op + ": pool size " + Shapes.str(k) + " is larger than the padded input ("
                    + (h + 2 * p[0]) + ", " + (w + 2 * p[1]) + ") of x " + x.shapeString()
                    + "; use a smaller pool size, more padding or a larger input");
        }
        return Pool2dGeometry.of(x.dim(0), x.dim(1), h, w, k[0], k[1], s[0], s[1], p[0], p[1], ceilMode);
    }
}
