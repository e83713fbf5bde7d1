package org.jgluon.bench.step;

import static org.jgluon.gluon.Kwargs.kw;

import java.util.Locale;
import org.jgluon.gluon.nn.Activation;
import org.jgluon.gluon.nn.BatchNorm;
import org.jgluon.gluon.nn.Conv2D;
import org.jgluon.gluon.nn.Dense;
import org.jgluon.gluon.nn.Dropout;
import org.jgluon.gluon.nn.MaxPool2D;
import org.jgluon.gluon.nn.Sequential;

/**
 * The seed's two networks (seed-experiment.md), exactly as the blog post adds them: AlexNet with
 * ReLU inside the convolutions and dense layers, and AlexNet-BN with BatchNorm then
 * {@code Activation('relu')} after every hidden layer (which {@link Sequential} fuses) and a
 * 2048-unit second dense layer.
 */
public enum AlexNets {
    ALEXNET("alexnet"),
    ALEXNET_BN("alexnet_bn");

    /** The name used on command lines, in JSON lines and by the PyTorch/MXNet drivers. */
    public final String id;

    AlexNets(String id) {
        this.id = id;
    }

    public static AlexNets of(String id) {
        for (AlexNets n : values()) if (n.id.equals(id.toLowerCase(Locale.ROOT))) return n;
        throw new IllegalArgumentException("unknown network '" + id + "'; choose alexnet or alexnet_bn");
    }

    /** A fresh, uninitialised network (parameter shapes are inferred at the first forward). */
    public Sequential build() {
        return this == ALEXNET ? plain() : withBatchNorm();
    }

    private static Sequential plain() {
        Sequential net = new Sequential();
        net.add(new Conv2D(96, kw("kernel_size", 11, "strides", 4, "activation", "relu")),
                new MaxPool2D(kw("pool_size", 3, "strides", 2)),
                new Conv2D(256, kw("kernel_size", 5, "padding", 2, "activation", "relu")),
                new MaxPool2D(kw("pool_size", 3, "strides", 2)),
                new Conv2D(384, kw("kernel_size", 3, "padding", 1, "activation", "relu")),
                new Conv2D(384, kw("kernel_size", 3, "padding", 1, "activation", "relu")),
                new Conv2D(256, kw("kernel_size", 3, "padding", 1, "activation", "relu")),
                new MaxPool2D(kw("pool_size", 3, "strides", 2)),
                new Dense(4096, kw("activation", "relu")), new Dropout(0.2f),
                new Dense(4096, kw("activation", "relu")), new Dropout(0.5f),
                new Dense(10));
        return net;
    }

    private static Sequential withBatchNorm() {
        Sequential net = new Sequential();
        net.add(new Conv2D(96, kw("kernel_size", 11, "strides", 4)), new BatchNorm(), new Activation("relu"),
                new MaxPool2D(kw("pool_size", 3, "strides", 2)),
                new Conv2D(256, kw("kernel_size", 5, "padding", 2)), new BatchNorm(), new Activation("relu"),
                new MaxPool2D(kw("pool_size", 3, "strides", 2)),
                new Conv2D(384, kw("kernel_size", 3, "padding", 1)), new BatchNorm(), new Activation("relu"),
                new Conv2D(384, kw("kernel_size", 3, "padding", 1)), new BatchNorm(), new Activation("relu"),
                new Conv2D(256, kw("kernel_size", 3, "padding", 1)), new BatchNorm(), new Activation("relu"),
                new MaxPool2D(kw("pool_size", 3, "strides", 2)),
                new Dense(4096), new BatchNorm(), new Activation("relu"), new Dropout(0.2f),
                new Dense(2048), new BatchNorm(), new Activation("relu"), new Dropout(0.5f),
                new Dense(10));
        return net;
    }
}
