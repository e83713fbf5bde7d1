package org.jgluon.engine.ops;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradTarget;
import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Conv2dKernels;
import org.jgluon.engine.kernels.Conv2dPasses;
import org.jgluon.engine.kernels.Conv2dWinograd;

/** Convolution with autograd (MXNet {@code Convolution}, NCHW). */
public final class ConvOps {

    /**
     * System property choosing the path of 3×3 and 5×5 stride-1 convolutions, read on every call so
     * that old and new can be timed in one process: {@code true} (default) Winograd where it is the
     * faster ({@link Conv2dWinograd#pays}), {@code false} never, {@code always} wherever it applies.
     */
    public static final String WINOGRAD_PROPERTY = "jgluon.winograd";

    private ConvOps() {}

    /**
     * True when {@link #conv2d} runs g in the Winograd domain ({@link Conv2dWinograd}: 3×3 or 5×5,
     * stride 1, dilation 1, groups 1; 3×3 with at least {@link Conv2dWinograd#MIN_CHANNELS} channels
     * and filters, 5×5 with a batch of at least 16) rather than as implicit im2col + SGEMM
     * ({@link Conv2dKernels}); see {@link #WINOGRAD_PROPERTY}. The only place that chooses.
     */
    public static boolean usesWinograd(Conv2dGeometry g) {
        String mode = System.getProperty(WINOGRAD_PROPERTY, "true").trim();
        if (mode.equalsIgnoreCase("false") || !Conv2dWinograd.applies(g)) return false;
        return mode.equalsIgnoreCase("always") || Conv2dWinograd.pays(g);
    }

    /**
     * 2-D convolution. {@code stride}, {@code padding}, {@code dilation} are (h, w) pairs; a
     * one-element array stands for both axes.
     *
     * <pre>
     *   x (N, C, H, W), w (F, C/groups, kh, kw), bias (F,) or null → y (N, F, OH, OW)
     *   OH = (H + 2·padH − dilH·(kh − 1) − 1) / strideH + 1   (floor; OW likewise)
     *   backward(dy (N, F, OH, OW)): needs x and w (kept by reference, not copied)
     *     dx += col2im(wᵀ·dy)   dw += Σ_images dy·im2col(x)ᵀ   dbias += Σ_{N, OH, OW} dy
     * </pre>
     * 3×3 and 5×5 stride-1 convolutions (groups 1, dilation 1) go through Winograd's F(2×2, r×r) in
     * all three passes where it pays ({@link #usesWinograd}; AlexNet's conv3-5 1.4× at 96, 1.65× at
     * 224; conv2 1.4-1.7×); the others through implicit im2col + SGEMM.
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        Conv2dGeometry g = geometry(x, w, bias, stride, padding, dilation, groups);
        Tensor y = Tensor.pooled(g.n(), g.f(), g.oh(), g.ow()); // the kernel writes every element
        boolean winograd = usesWinograd(g); // decided once: forward and backward take the same path
        float[] b = bias == null ? null : bias.data();
        int bOff = bias == null ? 0 : bias.offset();
        Conv2dPasses.forward(winograd, g, x.data(), x.offset(), w.data(), w.offset(), b, bOff, y.data(), y.offset());
        return Autograd.recordOp("conv2d", y, dy -> {
            // a first gradient is written over its (undefined) buffer instead of zeroed then added
            // into (GradTarget); every kernel takes the flag
            if (x.requiresGrad()) {
                GradTarget dx = x.gradTarget();
                Conv2dPasses.backwardData(winograd, g, dy.data(), dy.offset(), w.data(), w.offset(), dx.data(), dx.offset(),
                        dx.accumulate());
            }
            if (w.requiresGrad()) {
                GradTarget dw = w.gradTarget();
                Conv2dPasses.backwardWeights(winograd, g, x.data(), x.offset(), dy.data(), dy.offset(), dw.data(), dw.offset(),
                        dw.accumulate());
            }
            if (bias != null && bias.requiresGrad()) {
                GradTarget db = bias.gradTarget();
                Conv2dKernels.backwardBias(g, dy.data(), dy.offset(), db.data(), db.offset(), db.accumulate());
            }
        }, x, w, bias);
    }

    /** Checks the arguments and gives the convolution's sizes, or says clearly what is wrong. */
    static Conv2dGeometry geometry(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                   int groups) {
        String op = "conv2d";
        if (x == null || w == null) throw new IllegalArgumentException(op + ": x and w must not be null");
        if (x.ndim() != 4) {
            throw new IllegalArgumentException(op + ": x must have 4 axes (N, C, H, W), got shape " + x.shapeString());
        }
        if (w.ndim() != 4) {
            throw new IllegalArgumentException(op + ": w must have 4 axes (F, C/groups, kh, kw), got shape "
                    + w.shapeString());
        }
        int[] s = pair(op, "stride", stride), p = pair(op, "padding", padding), d = pair(op, "dilation", dilation);
        if (s[0] <= 0 || s[1] <= 0) throw new IllegalArgumentException(op + ": stride must be positive, got " + Shapes.str(s));
        if (d[0] <= 0 || d[1] <= 0) {
            throw new IllegalArgumentException(op + ": dilation must be positive, got " + Shapes.str(d));
        }
        if (p[0] < 0 || p[1] < 0) throw new IllegalArgumentException(op + ": padding must be ≥ 0, got " + Shapes.str(p));
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int f = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        if (groups <= 0) throw new IllegalArgumentException(op + ": groups must be positive, got " + groups);
        if (c % groups != 0 || f % groups != 0) {
            throw new IllegalArgumentException(op + ": groups " + groups + " must divide both the input channels "
                    + c + " of x " + x.shapeString() + " and the filters " + f + " of w " + w.shapeString());
        }
        if (w.dim(1) * groups != c) {
            throw new IllegalArgumentException(op + ": x " + x.shapeString() + " has " + c + " channels but w "
                    + w.shapeString() + " expects " + w.dim(1) + " × groups " + groups + " = " + w.dim(1) * groups
                    + " (w is (filters, in_channels/groups, kh, kw))");
        }
        if (kh <= 0 || kw <= 0 || f <= 0) {
            throw new IllegalArgumentException(op + ": w " + w.shapeString() + " has an empty axis");
        }
        int ekh = d[0] * (kh - 1) + 1, ekw = d[1] * (kw - 1) + 1;
        if (ekh > h + 2 * p[0] || ekw > wd + 2 * p[1]) {
            String dil = d[0] == 1 && d[1] == 1 ? "" : " (dilated to (" + ekh + ", " + ekw + "))";
            throw new IllegalArgumentException(op + ": kernel (" + kh + ", " + kw + ")" + dil
                    + " is larger than the padded input (" + (h + 2 * p[0]) + ", " + (wd + 2 * p[1]) + ") of x "
                    + x.shapeString() + "; use a smaller kernel, more padding or a larger input");
        }
        if (bias != null && (bias.ndim() != 1 || bias.dim(0) != f)) {
            throw new IllegalArgumentException(op + ": bias must have shape (" + f + ",) to match the " + f
                    + " filters of w " + w.shapeString() + ", got " + bias.shapeString());
        }
        return Conv2dGeometry.of(n, c, h, wd, f, kh, kw, s[0], s[1], p[0], p[1], d[0], d[1], groups);
    }

    /** An (h, w) pair from a one- or two-element array. */
    static int[] pair(String op, String name, int[] v) {
        if (v == null || v.length < 1 || v.length > 2) {
            throw new IllegalArgumentException(op + ": " + name + " must be one int or an (h, w) pair, got "
                    + (v == null ? "null" : v.length + " values"));
        }
        return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
    }
}
