package org.jgluon.gluon.data;

import org.jgluon.engine.Tensor;

/**
 * One mini-batch from a {@link DataLoader}: the items' data stacked along a new first axis,
 * {@code (B, ...item shape)} — {@code (B, C, H, W)} after {@code ToTensor} — and their labels
 * {@code (B,)} ({@code null} when the dataset yields bare tensors).
 */
public record Batch(Tensor data, Tensor label) {

    /** The number of samples B (the last batch of an epoch may be smaller). */
    public int size() {
        return data.dim(0);
    }

    @Override
    public String toString() {
        return "Batch(data " + data.shapeString() + (label == null ? "" : ", label " + label.shapeString()) + ")";
    }
}
