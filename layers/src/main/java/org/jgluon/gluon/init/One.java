package org.jgluon.gluon.init;

import org.jgluon.engine.Tensor;

/** {@code init.One()}: all ones. */
public final class One extends Initializer {
    @Override
    public void initWeight(String name, Tensor data) {
        data.fill(1f);
    }
}
