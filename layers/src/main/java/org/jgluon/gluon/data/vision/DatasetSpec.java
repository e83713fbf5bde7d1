package org.jgluon.gluon.data.vision;

import java.util.List;
import java.util.Map;

/**
 * What the {@link DatasetLocator} needs to know to find, download and install one dataset.
 *
 * @param name          directory name under the data, cache and system roots ({@code fashion-mnist})
 * @param displayName   the name users know ({@code Fashion-MNIST})
 * @param trainFiles    the training split's files (images, labels)
 * @param testFiles     the test split's files (images, labels)
 * @param md5           published MD5 of each downloadable file, lower-case hex
 * @param mirrors       base URLs (ending in '/') the files can be downloaded from, best first
 * @param debianPackage the Debian/Ubuntu package holding them, or null when there is none
 * @param licence       one line on origin and licence, for messages
 */
public record DatasetSpec(String name, String displayName, List<String> trainFiles, List<String> testFiles,
                          Map<String, String> md5, List<String> mirrors, String debianPackage,
                          String licence) {

    public DatasetSpec {
        trainFiles = List.copyOf(trainFiles);
        testFiles = List.copyOf(testFiles);
        md5 = Map.copyOf(md5);
        mirrors = List.copyOf(mirrors);
    }

    /** The four files: train images, train labels, test images, test labels. */
    public List<String> allFiles() {
        return List.of(trainFiles.get(0), trainFiles.get(1), testFiles.get(0), testFiles.get(1));
    }

    public List<String> files(boolean train) {
        return train ? trainFiles : testFiles;
    }

    public static final DatasetSpec FASHION_MNIST = new DatasetSpec(
            "fashion-mnist", "Fashion-MNIST",
            List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
            List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
            Map.of("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                    "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
                    "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
                    "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
            List.of("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                    "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/"),
            "dataset-fashion-mnist",
            "Fashion-MNIST by Zalando Research, MIT licence");

    public static final DatasetSpec MNIST = new DatasetSpec(
            "mnist", "MNIST",
            List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
            List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
            Map.of("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                    "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
                    "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
                    "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
            List.of("https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/"),
            null,
            "MNIST by Y. LeCun, C. Cortes and C. Burges, CC BY-SA 3.0");
}
