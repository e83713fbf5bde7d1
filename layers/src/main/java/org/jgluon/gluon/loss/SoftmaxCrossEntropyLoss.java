package org.jgluon.gluon.loss;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.LossOps;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Kwargs;

/**
 * {@code gluon.loss.SoftmaxCrossEntropyLoss(axis=-1, sparse_label=True, from_logits=False,
 * weight=None, batch_axis=0)}: −log softmax(pred)[label] per sample (with dense labels,
 * −Σ label·log softmax(pred)). The common case — 2-D logits, class-id labels, no weights — runs
 * the engine's fused, numerically stable kernel ({@code LossOps.softmaxCrossEntropy}), whose
 * gradient is softmax − onehot.
 */
public final class SoftmaxCrossEntropyLoss extends Loss {

    private final int axis;
    private final boolean sparseLabel, fromLogits;

    public SoftmaxCrossEntropyLoss() {
        this(Kwargs.empty());
    }

    public SoftmaxCrossEntropyLoss(Kwargs kw) {
        super(kw.check("gluon.loss.SoftmaxCrossEntropyLoss", "axis", "sparse_label", "from_logits", "weight", "batch_axis"), null);
        this.axis = kw.getInt("axis", -1);
        this.sparseLabel = kw.getBool("sparse_label", true);
        this.fromLogits = kw.getBool("from_logits", false);
    }

    @Override
    public Tensor forward(Tensor pred, Tensor label) {
        return forwardWeighted(pred, label, null);
    }

    @Override
    protected Tensor forwardWeighted(Tensor pred, Tensor label, Tensor sampleWeight) {
        int ax = axis < 0 ? axis + pred.ndim() : axis;
        if (ax < 0 || ax >= pred.ndim()) {
            throw new IllegalArgumentException(name() + ": axis " + axis + " is out of range for the prediction " + pred.shapeString());
        }
        if (sparseLabel && label.size() * pred.dim(ax) != pred.size()) {
            throw new IllegalArgumentException(name() + ": labels " + label.shapeString() + " do not match the prediction "
                    + pred.shapeString() + "; with sparse_label=true give one class id per sample, shape ("
                    + pred.dim(0) + ",)");
        }
        if (sparseLabel && !fromLogits && pred.ndim() == 2 && ax == 1 && sampleWeight == null
                && (weight == null || weight == 1f)) {
            return LossOps.softmaxCrossEntropy(pred, label.ndim() == 1 ? label : label.view(label.size()));
        }
        Tensor logp = fromLogits ? pred : LossOps.logSoftmax(pred, ax);
        Tensor target = sparseLabel ? oneHot(label, pred.shape(), ax) : labelLike(label, pred);
        Tensor loss = NdOps.neg(NdOps.sum(NdOps.mul(logp, target), new int[] {ax}, true));
        return meanExceptBatch(applyWeighting(loss, sampleWeight));
    }

    /** A constant (no-gradient) one-hot tensor of {@code shape} with 1 at each label's class along {@code ax}. */
    private Tensor oneHot(Tensor label, int[] shape, int ax) {
        int classes = shape[ax], inner = Shapes.prod(shape, ax + 1, shape.length), outer = Shapes.prod(shape, 0, ax);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                float v = label.get(o * inner + i);
                int c = (int) v;
                if (c != v || c < 0 || c >= classes) {
                    throw new IllegalArgumentException(name() + ": label " + v + " is not a class id in [0, " + classes + ")");
                }
                d[(o * classes + c) * inner + i] = 1f;
            }
        }
        return t;
    }
}
