package org.jgluon.gluon.init;

import org.jgluon.engine.Tensor;

/** {@code init.Constant(value)}: every element {@code value}. */
public final class Constant extends Initializer {
    private final float value;

    public Constant(float value) {
        this.value = value;
    }

    @Override
    public void initWeight(String name, Tensor data) {
        data.fill(value);
    }

    @Override
    public String toString() {
        return "Constant(" + value + ")";
    }
}
