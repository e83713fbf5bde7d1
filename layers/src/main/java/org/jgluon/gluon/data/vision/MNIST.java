package org.jgluon.gluon.data.vision;

import java.nio.file.Path;

/**
 * Gluon's {@code gluon.data.vision.MNIST}: 60 000 training or 10 000 test images of handwritten
 * digits, 28×28 grey. Items are {@code (28, 28, 1)} HWC tensors holding the uint8 values 0..255
 * as floats, and the digit as label. Looked up like {@link FashionMNIST}, under the name
 * {@code mnist} (there is no Debian package, so no apt step).
 */
public final class MNIST extends MnistLikeDataset {

    public MNIST() {
        this(true);
    }

    public MNIST(boolean train) {
        this((Path) null, train);
    }

    public MNIST(String root, boolean train) {
        this(root == null ? null : Path.of(root), train);
    }

    public MNIST(Path root, boolean train) {
        this(train, DatasetLocator.defaults().withDataDir(root, "the root argument"));
    }

    public MNIST(boolean train, DatasetLocator locator) {
        super(DatasetSpec.MNIST, train, locator, 10);
    }
}
