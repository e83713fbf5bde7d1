package org.jgluon.engine.ops;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradTarget;
import org.jgluon.engine.kernels.SoftmaxCrossEntropyKernels;
import org.jgluon.engine.kernels.SoftmaxKernels;

/** Softmax cross-entropy (fused, stable), softmax and log-softmax as recorded ops. */
public final class LossOps {

    private LossOps() {}

    /**
     * Per-sample {@code −log softmax(logits[i])[labels[i]]} for logits {@code (N, C)} and class ids
     * {@code (N,)} stored as floats → {@code (N,)}. Differentiable in the logits only.
     */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor labels) {
        final String op = "softmax_cross_entropy";
        if (logits.ndim() != 2) {
            throw new IllegalArgumentException(op + ": logits must be (N, C), got " + logits.shapeString()
                    + "; flatten them first");
        }
        final int n = logits.dim(0), c = logits.dim(1);
        if (labels.size() != n || labels.ndim() > 2 || (labels.ndim() == 2 && labels.dim(1) != 1)) {
            throw new IllegalArgumentException(op + ": labels " + labels.shapeString() + " do not match logits "
                    + logits.shapeString() + "; want one class index per sample, shape (" + n + ",)");
        }
        int bad = SoftmaxCrossEntropyKernels.firstBadLabel(labels.data(), labels.offset(), n, c);
        if (bad >= 0) {
            throw new IllegalArgumentException(op + ": label " + labels.get(bad) + " of sample " + bad
                    + " is not a class index in [0, " + c + ") for logits " + logits.shapeString());
        }
        final float[] lab = labels.toArray();
        final float[] rowMax = new float[n], rowLogSum = new float[n];
        Tensor loss = Tensor.zeros(n);
        SoftmaxCrossEntropyKernels.forward(logits.data(), logits.offset(), lab, 0, n, c, loss.data(), 0, rowMax, rowLogSum);
        // loss (N,) = logsumexp(x) − x[label], x (N, C). Backward needs x, the labels and each row's
        // max and log-sum: dx (+)= dloss·(softmax(x) − onehot(label)).
        return Autograd.recordOp(op, loss, dloss -> {
            GradTarget dx = logits.gradTarget();
            SoftmaxCrossEntropyKernels.backward(logits.data(), logits.offset(), lab, 0, rowMax, rowLogSum, dloss.data(),
                    dloss.offset(), dx.data(), dx.offset(), n, c, dx.accumulate());
        }, logits);
    }

    /** Softmax along {@code axis} (negative counts from the end). */
    public static Tensor softmax(Tensor x, int axis) {
        return softmax("softmax", x, axis, false);
    }

    /** Log-softmax along {@code axis}, {@code x − logsumexp(x)}, stable. */
    public static Tensor logSoftmax(Tensor x, int axis) {
        return softmax("log_softmax", x, axis, true);
    }

    private static Tensor softmax(String op, Tensor x, int axis, boolean log) {
        int ndim = x.ndim();
        int a = axis < 0 ? axis + ndim : axis;
        if (a < 0 || a >= ndim) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for input "
                    + x.shapeString() + " (" + ndim + " axes)");
        }
        int[] shape = x.shape();
        int outer = Shapes.prod(shape, 0, a), c = shape[a], inner = Shapes.prod(shape, a + 1, ndim);
        Tensor y = Tensor.pooled(shape); // the kernel writes every element
        SoftmaxKernels.forward(x.data(), x.offset(), y.data(), 0, outer, c, inner, log);
        // y = softmax(x) or log-softmax(x) over axis a, any shape. Backward needs only y:
        // dx (+)= y·(dy − Σdy·y), or dy − exp(y)·Σdy for the log form.
        return Autograd.recordOp(op, y, dy -> {
            GradTarget dx = x.gradTarget();
            SoftmaxKernels.backward(y.data(), 0, dy.data(), dy.offset(), dx.data(), dx.offset(), outer, c, inner,
                    log, dx.accumulate());
        }, x);
    }
}
