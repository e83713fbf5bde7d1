package org.jgluon.gluon.data.vision;

import java.nio.file.Path;
import java.util.List;

/**
 * Gluon's {@code gluon.data.vision.FashionMNIST}: 60 000 training or 10 000 test images of
 * clothing, 28×28 grey, in 10 classes ({@link #CLASSES}). Items are {@code (28, 28, 1)} HWC
 * tensors holding the uint8 values 0..255 as floats, and the class id as label. Where the files
 * come from: {@link DatasetLocator}.
 */
public final class FashionMNIST extends MnistLikeDataset {

    /** The class names by id, as d2l's {@code get_fashion_mnist_labels} prints them. */
    public static final List<String> CLASSES = List.of("t-shirt", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle boot");

    /** The training split, found the default way. */
    public FashionMNIST() {
        this(true);
    }

    public FashionMNIST(boolean train) {
        this((Path) null, train);
    }

    /** {@code root}: a directory holding the files (or a {@code fashion-mnist} subdirectory); null = the default search. */
    public FashionMNIST(String root, boolean train) {
        this(root == null ? null : Path.of(root), train);
    }

    public FashionMNIST(Path root, boolean train) {
        this(train, DatasetLocator.defaults().withDataDir(root, "the root argument"));
    }

    public FashionMNIST(boolean train, DatasetLocator locator) {
        super(DatasetSpec.FASHION_MNIST, train, locator, CLASSES.size());
    }
}
