package org.jgluon.gluon.metric;

import org.jgluon.engine.Tensor;

/**
 * {@code mx.metric.Accuracy(axis=1)}: the fraction of samples whose predicted class (argmax of
 * the scores along {@code axis}, or the prediction itself when it already has the labels' shape)
 * equals the label. {@link #get()} is ("accuracy", NaN) before any update, as MXNet.
 */
public final class Accuracy {

    /** A metric's name and current value, as MXNet's {@code get()} tuple. */
    public record Result(String name, double value) {}

    private final int axis;
    private long correct;
    private long total;

    public Accuracy() {
        this(1);
    }

    public Accuracy(int axis) {
        this.axis = axis;
    }

    /** Adds a batch: labels (N,) class ids, preds (N, C) scores or (N,) class ids. */
    public void update(Tensor labels, Tensor preds) {
        int n = labels.size();
        boolean scores = !(preds.size() == n);
        if (scores) {
            int ax = axis < 0 ? axis + preds.ndim() : axis;
            if (preds.ndim() != 2 || ax != 1 || preds.dim(0) != n) {
                throw new IllegalArgumentException("Accuracy.update: predictions " + preds.shapeString()
                        + " do not match labels " + labels.shapeString() + " (want (N, classes) scores or (N,) class ids)");
            }
        }
        int c = scores ? preds.dim(1) : 1;
        float[] p = preds.data();
        int po = preds.offset();
        long hit = 0;
        for (int i = 0; i < n; i++) {
            int predicted;
            if (scores) {
                int best = 0;
                float bv = p[po + i * c];
                for (int j = 1; j < c; j++) {
                    float v = p[po + i * c + j];
                    if (v > bv) {
                        bv = v;
                        best = j;
                    }
                }
                predicted = best;
            } else {
                predicted = (int) p[po + i];
            }
            if (predicted == (int) labels.get(i)) hit++;
        }
        correct += hit;
        total += n;
    }

    /** ("accuracy", correct / total). */
    public Result get() {
        return new Result("accuracy", total == 0 ? Double.NaN : (double) correct / total);
    }

    public double value() {
        return get().value();
    }

    public long numInst() {
        return total;
    }

    public void reset() {
        correct = 0;
        total = 0;
    }

    @Override
    public String toString() {
        return "EvalMetric: {'accuracy': " + get().value() + "} over " + total + " samples";
    }
}
