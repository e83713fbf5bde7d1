package org.jgluon.gluon.init;

import org.jgluon.engine.Tensor;

/** {@code init.Constant(value)}: every element {@code value}. */
public final class Constant extends Initializer {
    private final float value;

    /** From options: {@code init.Constant({value: 0.5})}. */
    public Constant(org.jgluon.gluon.Kwargs kw) {
        this(requireValue(kw.check("init.Constant", "value")));
    }

    private static float requireValue(org.jgluon.gluon.Kwargs kw) {
        if (!kw.has("value")) throw new IllegalArgumentException("init.Constant: value is required");
        return kw.getFloat("value", 0f);
    }

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
