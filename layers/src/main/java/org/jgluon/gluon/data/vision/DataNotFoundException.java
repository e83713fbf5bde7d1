package org.jgluon.gluon.data.vision;

/**
 * No copy of a dataset could be found, downloaded or installed. The message lists where the
 * locator looked and the ways to get the data; front ends print it as it is.
 */
public class DataNotFoundException extends RuntimeException {
    public DataNotFoundException(String message) {
        super(message);
    }
}
