package org.jgluon.gluon.init;

import org.jgluon.engine.Tensor;

/** {@code init.Zero()}: all zeros. */
public final class Zero extends Initializer {
    @Override
    public void initWeight(String name, Tensor data) {
        data.fill(0f);
    }
}
