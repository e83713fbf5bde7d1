package org.jgluon.gluon.init;

import org.jgluon.engine.Tensor;

/** {@code init.Uniform(scale=0.07)}: U(−scale, scale); Gluon's default for {@code initialize()}. */
public final class Uniform extends Initializer {
    private final float scale;

    public Uniform() {
        this(0.07f);
    }

    /** From options: {@code init.Uniform({scale: 0.1})}. */
    public Uniform(org.jgluon.gluon.Kwargs kw) {
        this(kw.check("init.Uniform", "scale").getFloat("scale", 0.07f));
    }

    public Uniform(float scale) {
        this.scale = scale;
    }

    @Override
    public void initWeight(String name, Tensor data) {
        fillUniform(data, -scale, scale);
    }

    @Override
    public String toString() {
        return "Uniform(scale=" + scale + ")";
    }
}
