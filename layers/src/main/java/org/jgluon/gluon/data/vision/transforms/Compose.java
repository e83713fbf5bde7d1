package org.jgluon.gluon.data.vision.transforms;

import java.util.List;
import java.util.function.Function;

import org.jgluon.engine.Tensor;

/** Gluon's {@code transforms.Compose([...])}: the transforms applied in order. */
public final class Compose implements Function<Tensor, Tensor> {

    private final List<Function<Tensor, Tensor>> steps;

    public Compose(List<? extends Function<Tensor, Tensor>> steps) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) == null) throw new IllegalArgumentException("Compose: transform " + i + " is null");
        }
        this.steps = List.copyOf(steps);
    }

    @SafeVarargs
    public Compose(Function<Tensor, Tensor>... steps) {
        this(java.util.Arrays.asList(steps));
    }

    public List<Function<Tensor, Tensor>> steps() {
        return steps;
    }

    @Override
    public Tensor apply(Tensor x) {
        for (Function<Tensor, Tensor> f : steps) x = f.apply(x);
        return x;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Compose(");
        for (int i = 0; i < steps.size(); i++) b.append(i == 0 ? "" : ", ").append(steps.get(i));
        return b.append(')').toString();
    }
}
