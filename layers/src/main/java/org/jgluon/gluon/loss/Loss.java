package org.jgluon.gluon.loss;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Kwargs;

/**
 * Gluon's {@code gluon.loss.Loss}: {@code loss(pred, label)} returns one value per sample (the mean
 * over every axis but {@code batch_axis}), scaled by the optional global {@code weight} and a
 * per-sample {@code sample_weight}. The result is recorded by autograd, so
 * {@code loss.forward(pred, y)} then {@code .backward()} trains the network.
 */
public abstract class Loss {

    protected final Float weight;
    protected final int batchAxis;

    protected Loss(Kwargs kw, Float defaultWeight) {
        Object w = kw.get("weight");
        this.weight = w == null ? defaultWeight : (Float) kw.getFloat("weight", 1f);
        this.batchAxis = kw.getInt("batch_axis", 0);
        if (batchAxis != 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": only batch_axis=0 is supported, got " + batchAxis);
        }
    }

    /** The per-sample loss (N,). */
    public abstract Tensor forward(Tensor pred, Tensor label);

    /** With a per-sample weight broadcastable to the element-wise loss. */
    public Tensor forward(Tensor pred, Tensor label, Tensor sampleWeight) {
        return forwardWeighted(pred, label, sampleWeight);
    }

    protected abstract Tensor forwardWeighted(Tensor pred, Tensor label, Tensor sampleWeight);

    /** MXNet's {@code _apply_weighting}: loss·sample_weight·weight. */
    protected Tensor applyWeighting(Tensor loss, Tensor sampleWeight) {
        if (sampleWeight != null) {
            // a per-sample weight (N,) against an (N, 1) loss means the same samples, not an (N, N) broadcast
            if (sampleWeight.size() == loss.size() && !Shapes.same(sampleWeight.shape(), loss.shape())) {
                sampleWeight = NdOps.reshape(sampleWeight, loss.shape());
            }
            loss = NdOps.mul(loss, sampleWeight);
        }
        if (weight != null && weight != 1f) loss = NdOps.mulScalar(loss, weight);
        return loss;
    }

    /** Mean over every axis but the batch axis: (N, ...) → (N,). */
    protected static Tensor meanExceptBatch(Tensor loss) {
        if (loss.ndim() <= 1) return loss;
        int[] axes = new int[loss.ndim() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        return NdOps.mean(loss, axes, false);
    }

    protected String name() {
        return getClass().getSimpleName();
    }

    /** The label reshaped to the prediction's shape (same element count), as {@code reshape_like}. */
    protected Tensor labelLike(Tensor label, Tensor pred) {
        if (Shapes.same(label.shape(), pred.shape())) return label;
        if (label.size() != pred.size()) {
            throw new IllegalArgumentException(name() + ": label " + label.shapeString() + " does not match the prediction "
                    + pred.shapeString());
        }
        return NdOps.reshape(label, pred.shape());
    }
}
